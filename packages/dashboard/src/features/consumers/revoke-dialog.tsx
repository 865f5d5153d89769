import { type FormEvent, useState } from "react";
import type { KeyView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface RevokeDialogProps {
  readonly keyView: KeyView;
  readonly onRevoked: () => void;
  readonly onClose: () => void;
}

/** Revocation is immediate and final, so the operator types the key's name to confirm it. */
export function RevokeDialog({ keyView, onRevoked, onClose }: RevokeDialogProps) {
  const api = useApi();
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const revoke = useMutation(() =>
    api.send<{ key: KeyView }>("POST", `/v1/keys/${encodeURIComponent(keyView.id)}/revoke`, {
      ...(reason.trim() === "" ? {} : { reason: reason.trim() }),
    }),
  );
  const confirmed = typed === keyView.name;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    const done = await revoke.run();
    if (done !== undefined) onRevoked();
  };
  return (
    <Dialog
      title={`Revoke “${keyView.name}”`}
      role="alertdialog"
      onClose={onClose}
      description={
        <p>
          Key <code>{keyView.hint}</code> stops working on every node within seconds. This cannot be undone.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label={`Type ${keyView.name} to confirm`}
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
          hint="Recorded in the audit log, e.g. leaked in a public repository."
        />
        {revoke.error === undefined ? null : <ProblemMessage error={revoke.error} context="Not revoked" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button danger" disabled={!confirmed || revoke.busy}>
            {revoke.busy ? "Revoking…" : "Revoke key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
