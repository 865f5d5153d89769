import { type FormEvent, useState } from "react";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import type { PortalKey } from "../api/portal-types.ts";
import { usePortalSession } from "../session/portal-session.ts";

export interface RevokeKeyDialogProps {
  readonly keyView: PortalKey;
  readonly onRevoked: () => void;
  readonly onClose: () => void;
}

/** Revoking is immediate and final, so the consumer types the key's name to confirm it. */
export function RevokeKeyDialog({ keyView, onRevoked, onClose }: RevokeKeyDialogProps) {
  const { api } = usePortalSession();
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const revoke = useMutation(() =>
    api.send<{ key: PortalKey }>("POST", `/keys/${encodeURIComponent(keyView.id)}/revoke`, {
      ...(reason.trim() === "" ? {} : { reason: reason.trim() }),
    }),
  );
  const confirmed = typed.trim() === keyView.name.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (confirmed && (await revoke.run()) !== undefined) onRevoked();
  };
  return (
    <Dialog
      title={`Revoke “${keyView.name}”`}
      role="alertdialog"
      onClose={onClose}
      description={
        <p>
          Key <code>{keyView.hint}</code> stops working within seconds, everywhere. This cannot be undone. To
          confirm, type <strong className="confirm-name">{keyView.name}</strong> below.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Type the key's name to confirm"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setTyped(event.target.value)}
        />
        <TextField
          label="Reason (optional)"
          maxLength={200}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          error={revoke.error?.fieldMessage("reason")}
          hint="For your records, e.g. pushed to a public repository."
        />
        {revoke.error === undefined ? null : <ProblemMessage error={revoke.error} context="Not revoked" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button danger" disabled={!confirmed || revoke.busy}>
            {revoke.busy ? "Revoking…" : "Revoke"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
