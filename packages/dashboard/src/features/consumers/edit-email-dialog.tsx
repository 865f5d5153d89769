import { type FormEvent, useState } from "react";
import type { ConsumerView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface EditEmailDialogProps {
  readonly consumer: ConsumerView;
  readonly onSaved: () => void;
  readonly onClose: () => void;
}

/** Sets or clears (empty) the consumer's email; the API refuses an address another consumer has. */
export function EditEmailDialog({ consumer, onSaved, onClose }: EditEmailDialogProps) {
  const api = useApi();
  const [email, setEmail] = useState(consumer.email ?? "");
  const save = useMutation(() =>
    api.send<ConsumerView>("PATCH", `/v1/consumers/${encodeURIComponent(consumer.id)}`, {
      email: email.trim() === "" ? null : email.trim(),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await save.run()) !== undefined) onSaved();
  };
  return (
    <Dialog title={`Email of ${consumer.name}`} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          spellCheck={false}
          maxLength={254}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={save.error?.fieldMessage("email")}
          hint="Key notices and portal sign-in links by mail go here. Empty: no mail to this consumer."
        />
        {save.error === undefined ? null : <ProblemMessage error={save.error} context="Not saved" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={save.busy}>
            {save.busy ? "Saving…" : "Save email"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
