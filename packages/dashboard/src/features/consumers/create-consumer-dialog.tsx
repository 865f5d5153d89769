import { type FormEvent, useState } from "react";
import type { ConsumerView, PlanView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { SelectField } from "../../components/select-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface CreateConsumerDialogProps {
  readonly plans: readonly PlanView[];
  readonly onCreated: (consumer: ConsumerView) => void;
  readonly onClose: () => void;
}

export function CreateConsumerDialog({ plans, onCreated, onClose }: CreateConsumerDialogProps) {
  const api = useApi();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [plan, setPlan] = useState("");
  const create = useMutation(() =>
    api.send<ConsumerView>("POST", "/v1/consumers", {
      name: name.trim(),
      ...(email.trim() === "" ? {} : { email: email.trim() }),
      plan: plan === "" ? null : plan,
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const consumer = await create.run();
    if (consumer !== undefined) onCreated(consumer);
  };
  return (
    <Dialog title="New consumer" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={create.error?.fieldMessage("name")}
          hint="Who calls your API, e.g. a company or an app."
        />
        <TextField
          label="Email (optional)"
          type="email"
          autoComplete="off"
          spellCheck={false}
          maxLength={254}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={create.error?.fieldMessage("email")}
          hint="For key notices and portal sign-in links by mail."
        />
        <SelectField
          label="Plan"
          value={plan}
          onChange={(event) => setPlan(event.target.value)}
          options={[
            { value: "", label: "No plan (no limits)" },
            ...plans.map((p) => ({ value: p.name, label: p.name })),
          ]}
          error={create.error?.fieldMessage("plan")}
        />
        {create.error === undefined ? null : <ProblemMessage error={create.error} context="Not created" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.busy}>
            {create.busy ? "Creating…" : "Create consumer"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
