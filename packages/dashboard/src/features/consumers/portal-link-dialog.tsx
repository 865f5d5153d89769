import { useId } from "react";
import type { PortalSignInLink } from "../../api/types.ts";
import { CopyButton } from "../../components/copy-button.tsx";
import { Dialog } from "../../components/dialog.tsx";
import { formatDateTime } from "../../lib/format.ts";

export interface PortalLinkDialogProps {
  readonly consumerName: string;
  readonly link: PortalSignInLink;
  readonly onClose: () => void;
}

/**
 * A one-time sign-in link, shown once: whoever opens it first is signed in
 * as the consumer, so it is handed to that person only, and dropped from
 * memory when the dialog closes.
 */
export function PortalLinkDialog({ consumerName, link, onClose }: PortalLinkDialogProps) {
  const fieldId = useId();
  return (
    <Dialog
      title="Portal sign-in link"
      onClose={onClose}
      wide
      description={
        <p>
          <strong>Anyone with this link can sign in as {consumerName}</strong> until it is used or expires.
          Send it to that person only, over a channel you trust; do not paste it in tickets or chats.
        </p>
      }
    >
      <label htmlFor={fieldId} className="field-label">
        Sign-in link
      </label>
      <div className="secret-row">
        <input
          id={fieldId}
          className="secret-value"
          readOnly
          value={link.url}
          spellCheck={false}
          autoComplete="off"
          data-testid="portal-link-url"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={link.url} label="Copy link" />
      </div>
      <p>
        Works once, until <time dateTime={link.expiresAt}>{formatDateTime(link.expiresAt)}</time>. It is shown
        only now; make a new one if it gets lost.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
