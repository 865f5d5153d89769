import type { Branding } from "../api/portal-types.ts";

export interface BrandMarkProps {
  readonly branding: Branding;
  readonly size: number;
  /** The title's element: the sign-in card's heading, or plain text in the header bar. */
  readonly as?: "h1" | "span";
}

/** The provider's logo (or keygate's) beside its title; the logo is decorative, the title names it. */
export function BrandMark({ branding, size, as: Title = "span" }: BrandMarkProps) {
  return (
    <span className="brand-mark">
      <img
        src={branding.logoUrl ?? "/favicon.svg"}
        alt=""
        width={size}
        height={size}
        className="brand-logo"
        referrerPolicy="no-referrer"
      />
      <Title className="brand-title">{branding.title}</Title>
    </span>
  );
}
