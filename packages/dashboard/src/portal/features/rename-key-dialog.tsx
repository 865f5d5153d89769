import { type FormEvent, useState } from "react";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import type { PortalKey } from "../api/portal-types.ts";
import { usePortalSession } from "../session/portal-session.ts";

export interface RenameKeyDialogProps {
  readonly keyView: PortalKey;
  readonly onRenamed: () => void;
  readonly onClose: () => void;
}

export function RenameKeyDialog({ keyView, onRenamed, onClose }: RenameKeyDialogProps) {
  const { api } = usePortalSession();
  const [name, setName] = useState(keyView.name);
  const rename = useMutation(() =>
    api.send<{ key: PortalKey }>("PATCH", `/keys/${encodeURIComponent(keyView.id)}`, { name: name.trim() }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await rename.run()) !== undefined) onRenamed();
  };
  return (
    <Dialog title={`Rename “${keyView.name}”`} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          onFocus={(event) => event.currentTarget.select()}
          error={rename.error?.fieldMessage("name")}
        />
        {rename.error === undefined ? null : <ProblemMessage error={rename.error} context="Not renamed" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={rename.busy || name.trim() === ""}>
            {rename.busy ? "Renaming…" : "Rename"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
