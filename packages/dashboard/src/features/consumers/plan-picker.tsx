import { type FormEvent, useId, useState } from "react";
import type { PlanView } from "../../api/types.ts";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface PlanPickerProps {
  readonly consumerId: string;
  readonly current: string | null;
  readonly plans: readonly PlanView[];
  readonly onChanged: () => void;
}

/** Moves the consumer to another plan; its counters carry over (limits belong to the consumer). */
export function PlanPicker({ consumerId, current, plans, onChanged }: PlanPickerProps) {
  const api = useApi();
  const id = useId();
  const [plan, setPlan] = useState(current ?? "");
  const save = useMutation(() =>
    api.send("PATCH", `/v1/consumers/${encodeURIComponent(consumerId)}`, { plan: plan === "" ? null : plan }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await save.run()) !== undefined) onChanged();
  };
  return (
    <form className="plan-picker" data-needs="operator" onSubmit={(event) => void submit(event)}>
      <label htmlFor={id} className="field-label inline">
        Change plan
      </label>
      <select id={id} className="input" value={plan} onChange={(event) => setPlan(event.target.value)}>
        <option value="">No plan (no limits)</option>
        {plans.map((option) => (
          <option key={option.name} value={option.name}>
            {option.name}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="button secondary small"
        disabled={save.busy || plan === (current ?? "")}
      >
        {save.busy ? "Saving…" : "Save"}
      </button>
      {save.error === undefined ? null : <ProblemMessage error={save.error} context="Plan not changed" />}
    </form>
  );
}
