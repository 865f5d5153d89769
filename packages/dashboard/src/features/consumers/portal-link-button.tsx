import { useState } from "react";
import { ApiError } from "../../api/api-error.ts";
import type { PortalSignInLink } from "../../api/types.ts";
import { useApi } from "../../session/session-context.ts";
import type { ConsumerDialog } from "./consumer-dialogs.tsx";

export interface PortalLinkButtonProps {
  readonly consumerId: string;
  readonly open: (dialog: ConsumerDialog) => void;
}

/**
 * Makes a one-time portal sign-in link for the consumer and opens the dialog
 * that shows it once; a failure (a disabled consumer, no portal) opens a
 * dialog too, since the page header has no room for it.
 */
export function PortalLinkButton({ consumerId, open }: PortalLinkButtonProps) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      const link = await api.send<PortalSignInLink>(
        "POST",
        `/v1/consumers/${encodeURIComponent(consumerId)}/portal-links`,
        {},
      );
      open({ type: "portal-link", link });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      open({ type: "problem", title: "No sign-in link", error });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="button secondary"
      data-needs="operator"
      disabled={busy}
      onClick={() => void create()}
    >
      {busy ? "Creating link…" : "Portal sign-in link"}
    </button>
  );
}
