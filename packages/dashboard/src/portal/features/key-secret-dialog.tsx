import { type ReactNode, useId } from "react";
import { CopyButton } from "../../components/copy-button.tsx";
import { Dialog } from "../../components/dialog.tsx";
import type { PortalKey } from "../api/portal-types.ts";
import { SnippetTabs } from "../components/snippet-tabs.tsx";
import { gatewaySnippets } from "../lib/snippets.ts";
import { usePortalSession } from "../session/portal-session.ts";

export interface KeySecretDialogProps {
  readonly title: string;
  readonly keyView: PortalKey;
  readonly secret: string;
  /** Done, Escape and × all call this; the parent drops the secret with the dialog. */
  readonly onDone: () => void;
  readonly children?: ReactNode;
}

/**
 * The one time a secret is shown. It stays in this dialog's props only —
 * never in the URL, storage or a log — and is gone once the dialog closes.
 */
export function KeySecretDialog({ title, keyView, secret, onDone, children }: KeySecretDialogProps) {
  const { me } = usePortalSession();
  const fieldId = useId();
  return (
    <Dialog
      title={title}
      onClose={onDone}
      wide
      description={
        <p className="secret-warning">
          <strong>Copy this secret now: you will not see it again.</strong> We keep only a fingerprint of it.
          If you lose it, rotate the key to get a new one.
        </p>
      }
    >
      <p className="secret-subject">
        {keyView.name} <span className="version">v{keyView.version}</span> · <code>{keyView.hint}</code>
      </p>
      <label htmlFor={fieldId} className="field-label">
        Secret
      </label>
      <div className="secret-row">
        <input
          id={fieldId}
          className="secret-value"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          data-testid="secret-value"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={secret} label="Copy" />
      </div>
      {children}
      <h3 className="snippets-title">Try it</h3>
      <SnippetTabs label="Code examples" snippets={gatewaySnippets(me.portal.gatewayUrl, secret)} />
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
