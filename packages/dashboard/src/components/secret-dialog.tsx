import { type ReactNode, useId } from "react";
import { CopyButton } from "./copy-button.tsx";
import { Dialog } from "./dialog.tsx";

export interface SecretDialogProps {
  readonly title: string;
  readonly secret: string;
  /** What the secret is for, e.g. "the new key of Production". */
  readonly subject: string;
  readonly onClose: () => void;
  readonly children?: ReactNode;
}

/**
 * The one and only time a secret is shown. The dashboard keeps it in memory
 * just while this dialog is open; closing it drops it for good.
 */
export function SecretDialog({ title, secret, subject, onClose, children }: SecretDialogProps) {
  const fieldId = useId();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      description={
        <p>
          This is the secret of {subject}. <strong>It is shown once</strong>: keygate stores only its hash, so
          copy it now and keep it somewhere safe.
        </p>
      }
    >
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
        <CopyButton text={secret} label="Copy secret" />
      </div>
      {children}
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onClose}>
          I have stored it — close
        </button>
      </div>
    </Dialog>
  );
}
