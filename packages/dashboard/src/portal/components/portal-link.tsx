import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { navigate } from "../lib/navigation.ts";

export interface PortalLinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  readonly to: string;
}

/** A real link (open in a new tab works) that moves inside the app without reloading it. */
export function PortalLink({ to, onClick, ...anchor }: PortalLinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...anchor} />;
}
