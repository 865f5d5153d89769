import { type FormEvent, useState } from "react";
import type { KeyView, RotatedKey } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { RadioGroup } from "../../components/radio-group.tsx";
import { SelectField } from "../../components/select-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { formatSeconds } from "../../lib/format.ts";
import { useApi } from "../../session/session-context.ts";

type Preset = "1h" | "24h" | "7d" | "custom";
type Unit = "minutes" | "hours" | "days";

const PRESET_SECONDS: Readonly<Record<Exclude<Preset, "custom">, number>> = {
  "1h": 3_600,
  "24h": 86_400,
  "7d": 604_800,
};
const UNIT_SECONDS: Readonly<Record<Unit, number>> = { minutes: 60, hours: 3_600, days: 86_400 };

export interface RotateDialogProps {
  readonly keyView: KeyView;
  readonly onRotated: (rotated: RotatedKey) => void;
  readonly onClose: () => void;
}

/** Issues the successor; the old key keeps working for the overlap, then retires by deadline or when idle. */
export function RotateDialog({ keyView, onRotated, onClose }: RotateDialogProps) {
  const api = useApi();
  const [preset, setPreset] = useState<Preset>("24h");
  const [amount, setAmount] = useState("10");
  const [unit, setUnit] = useState<Unit>("minutes");
  const [retire, setRetire] = useState<"deadline" | "idle">("deadline");
  const [idleMinutes, setIdleMinutes] = useState("15");

  const overlapSeconds = preset === "custom" ? Number(amount) * UNIT_SECONDS[unit] : PRESET_SECONDS[preset];
  const rotate = useMutation(() =>
    api.send<RotatedKey>("POST", `/v1/keys/${encodeURIComponent(keyView.id)}/rotate`, {
      overlapSeconds,
      retire,
      ...(retire === "idle" ? { idleSeconds: Number(idleMinutes) * 60 } : {}),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const rotated = await rotate.run();
    if (rotated !== undefined) onRotated(rotated);
  };
  const error = rotate.error;
  const validOverlap = Number.isFinite(overlapSeconds) && overlapSeconds >= 0;

  return (
    <Dialog
      title={`Rotate “${keyView.name}”`}
      onClose={onClose}
      description={
        <p>
          Issues version {keyView.version + 1} with the same scopes. The current key ({keyView.hint}) stays
          valid during the overlap and answers with <code>Deprecation</code> and <code>Sunset</code> headers.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <RadioGroup
          legend="Overlap window"
          name="overlap"
          value={preset}
          onChange={setPreset}
          options={[
            { value: "1h", label: "1 hour" },
            { value: "24h", label: "24 hours" },
            { value: "7d", label: "7 days" },
            { value: "custom", label: "Custom" },
          ]}
        >
          {preset === "custom" ? (
            <div className="inline-fields">
              <TextField
                label="Overlap length"
                type="number"
                min={0}
                step="any"
                inputMode="decimal"
                value={amount}
                onChange={(event) => setAmount(event.target.value)}
                error={error?.fieldMessage("overlapSeconds")}
                hint="0 is an emergency rollover: the old key stops at once."
              />
              <SelectField
                label="Unit"
                value={unit}
                onChange={(event) => setUnit(event.target.value as Unit)}
                options={[
                  { value: "minutes", label: "minutes" },
                  { value: "hours", label: "hours" },
                  { value: "days", label: "days" },
                ]}
              />
            </div>
          ) : null}
        </RadioGroup>
        <RadioGroup
          legend="Retire the old key"
          name="retire"
          value={retire}
          onChange={setRetire}
          options={[
            { value: "deadline", label: "At the deadline", hint: "when the overlap ends" },
            { value: "idle", label: "When idle", hint: "once only the new key is used" },
          ]}
        >
          {retire === "idle" ? (
            <TextField
              label="Idle for (minutes)"
              type="number"
              min={1}
              value={idleMinutes}
              onChange={(event) => setIdleMinutes(event.target.value)}
              error={error?.fieldMessage("idleSeconds")}
              hint="The old key retires after the new one has been used and the old one not for this long."
            />
          ) : null}
        </RadioGroup>
        <p className="summary-line" aria-live="polite">
          {validOverlap
            ? overlapSeconds === 0
              ? "Emergency rollover: the old key stops working immediately."
              : `The old key stops working in ${formatSeconds(overlapSeconds)} at the latest.`
            : "Enter an overlap length."}
        </p>
        {error === undefined ? null : <ProblemMessage error={error} context="Not rotated" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={rotate.busy || !validOverlap}>
            {rotate.busy ? "Rotating…" : "Rotate key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
