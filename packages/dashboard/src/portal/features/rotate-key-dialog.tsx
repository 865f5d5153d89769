import { type FormEvent, useState } from "react";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { RadioGroup } from "../../components/radio-group.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { formatSeconds } from "../../lib/format.ts";
import type { PortalKey, RotatedKey } from "../api/portal-types.ts";
import { usePortalSession } from "../session/portal-session.ts";

const PRESETS = [
  { value: "1h", label: "1 hour", seconds: 3_600 },
  { value: "24h", label: "24 hours", seconds: 86_400 },
  { value: "7d", label: "7 days", seconds: 604_800 },
] as const;

export interface RotateKeyDialogProps {
  readonly keyView: PortalKey;
  readonly onRotated: (rotated: RotatedKey) => void;
  readonly onClose: () => void;
}

/** A new key now; the current one keeps working for the overlap, so clients can switch without downtime. */
export function RotateKeyDialog({ keyView, onRotated, onClose }: RotateKeyDialogProps) {
  const { api, me } = usePortalSession();
  const max = me.portal.maxOverlapSeconds;
  const presets = PRESETS.filter((preset) => preset.seconds <= max);
  const [choice, setChoice] = useState<string>(
    presets.find((preset) => preset.value === "24h")?.value ?? presets.at(-1)?.value ?? "custom",
  );
  const [hours, setHours] = useState("2");
  const preset = presets.find((p) => p.value === choice);
  const overlapSeconds = preset?.seconds ?? Math.round(Number(hours) * 3_600);
  const valid =
    preset !== undefined || (hours.trim() !== "" && Number.isFinite(overlapSeconds) && overlapSeconds >= 0);
  const withinMax = overlapSeconds <= max;
  const rotate = useMutation(() =>
    api.send<RotatedKey>("POST", `/keys/${encodeURIComponent(keyView.id)}/rotate`, { overlapSeconds }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || !withinMax) return;
    const rotated = await rotate.run();
    if (rotated !== undefined) onRotated(rotated);
  };

  return (
    <Dialog
      title={`Rotate “${keyView.name}”`}
      onClose={onClose}
      description={
        <p>
          You get a new secret now, with the same scopes. The current key (<code>{keyView.hint}</code>) keeps
          working during the overlap, so you can deploy the new one without downtime.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <RadioGroup
          legend="Overlap: how long the current key keeps working"
          name="overlap"
          value={choice}
          onChange={setChoice}
          options={[
            ...presets.map(({ value, label }) => ({ value, label })),
            { value: "custom", label: "Custom" },
          ]}
        >
          {choice === "custom" ? (
            <TextField
              label="Overlap in hours"
              type="number"
              min={0}
              max={max / 3_600}
              step="any"
              inputMode="decimal"
              value={hours}
              onChange={(event) => setHours(event.target.value)}
              error={
                valid && !withinMax
                  ? `At most ${formatSeconds(max)}.`
                  : rotate.error?.fieldMessage("overlapSeconds")
              }
              hint={`Up to ${formatSeconds(max)}. 0 stops the current key at once.`}
            />
          ) : null}
        </RadioGroup>
        <p className="summary-line" aria-live="polite">
          {!valid
            ? "Enter the overlap in hours."
            : overlapSeconds === 0
              ? "The current key stops working immediately."
              : `The current key stops working in ${formatSeconds(overlapSeconds)}.`}
        </p>
        {rotate.error === undefined ? null : <ProblemMessage error={rotate.error} context="Not rotated" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={rotate.busy || !valid || !withinMax}>
            {rotate.busy ? "Rotating…" : "Rotate"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
