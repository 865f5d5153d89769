import { type FormEvent, useState } from "react";
import type { PlanView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { SelectField } from "../../components/select-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface PlanDialogProps {
  /** The plan to edit; undefined creates one. */
  readonly plan: PlanView | undefined;
  readonly onSaved: () => void;
  readonly onClose: () => void;
}

/** `PUT /v1/plans/{name}`: an empty limit field means "no rate limit" / "no quota". */
export function PlanDialog({ plan, onSaved, onClose }: PlanDialogProps) {
  const api = useApi();
  const [name, setName] = useState(plan?.name ?? "");
  const [rateLimit, setRateLimit] = useState(plan?.rateLimit ? String(plan.rateLimit.limit) : "");
  const [windowSeconds, setWindowSeconds] = useState(String(plan?.rateLimit?.windowSeconds ?? 60));
  const [quota, setQuota] = useState(plan?.quota ? String(plan.quota.limit) : "");
  const [period, setPeriod] = useState<"day" | "month">(plan?.quota?.period ?? "month");
  const save = useMutation(() =>
    api.send("PUT", `/v1/plans/${encodeURIComponent(name.trim())}`, {
      rateLimit:
        rateLimit.trim() === "" ? null : { limit: Number(rateLimit), windowSeconds: Number(windowSeconds) },
      quota: quota.trim() === "" ? null : { limit: Number(quota), period },
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") return;
    const saved = await save.run();
    if (saved !== undefined) onSaved();
  };
  const error = save.error;
  return (
    <Dialog
      title={plan === undefined ? "New plan" : `Edit plan ${plan.name}`}
      onClose={onClose}
      description={
        <p>Limits belong to consumers: every consumer on this plan gets them on every node at once.</p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        {plan === undefined ? (
          <TextField
            label="Name"
            required
            pattern="[a-z0-9][a-z0-9_\-]{0,62}"
            value={name}
            onChange={(event) => setName(event.target.value)}
            hint="Lower-case letters, digits, _ and -."
            error={error?.errors.find((e) => e.path.startsWith("/params"))?.message}
          />
        ) : null}
        <div className="inline-fields">
          <TextField
            label="Rate limit (requests)"
            type="number"
            min={1}
            value={rateLimit}
            onChange={(event) => setRateLimit(event.target.value)}
            hint="Empty: no rate limit."
            error={error?.fieldMessage("rateLimit/limit")}
          />
          <SelectField
            label="Per"
            value={windowSeconds}
            onChange={(event) => setWindowSeconds(event.target.value)}
            options={[
              { value: "1", label: "second" },
              { value: "60", label: "minute" },
              { value: "3600", label: "hour" },
              { value: "86400", label: "day" },
            ]}
            error={error?.fieldMessage("rateLimit/windowSeconds")}
          />
        </div>
        <div className="inline-fields">
          <TextField
            label="Quota (requests)"
            type="number"
            min={1}
            value={quota}
            onChange={(event) => setQuota(event.target.value)}
            hint="Empty: no quota."
            error={error?.fieldMessage("quota/limit")}
          />
          <SelectField
            label="Per"
            value={period}
            onChange={(event) => setPeriod(event.target.value === "day" ? "day" : "month")}
            options={[
              { value: "day", label: "day" },
              { value: "month", label: "month" },
            ]}
          />
        </div>
        {error === undefined ? null : <ProblemMessage error={error} context="Plan not saved" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={save.busy || name.trim() === ""}>
            {save.busy ? "Saving…" : "Save plan"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
