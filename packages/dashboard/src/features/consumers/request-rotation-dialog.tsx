import { type FormEvent, useState } from "react";
import type { KeyView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

const DEFAULT_DAYS = 7;

/** `YYYY-MM-DDTHH:mm` in local time, as a datetime-local input holds it. */
function localInputValue(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface RequestRotationDialogProps {
  readonly keyView: KeyView;
  readonly onDone: () => void;
  readonly onClose: () => void;
}

/** Asks the consumer to rotate by itself (self/rotate) before a sunset, without anyone seeing its secret. */
export function RequestRotationDialog({ keyView, onDone, onClose }: RequestRotationDialogProps) {
  const api = useApi();
  const [sunset, setSunset] = useState(() => localInputValue(Date.now() + DEFAULT_DAYS * 86_400_000));
  const request = useMutation(() =>
    api.send<{ key: KeyView }>("POST", `/v1/keys/${encodeURIComponent(keyView.id)}/request-rotation`, {
      sunsetAt: new Date(sunset).toISOString(),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (Number.isNaN(Date.parse(sunset))) return;
    const done = await request.run();
    if (done !== undefined) onDone();
  };
  return (
    <Dialog
      title={`Request rotation of “${keyView.name}”`}
      onClose={onClose}
      description={
        <p>
          The key becomes due now: every response carries <code>Deprecation</code> and <code>Sunset</code>,
          and the consumer's SDK rotates it by itself. It stops working at the sunset.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Sunset (the key stops working)"
          type="datetime-local"
          required
          value={sunset}
          onChange={(event) => setSunset(event.target.value)}
          error={request.error?.fieldMessage("sunsetAt")}
        />
        {request.error === undefined ? null : (
          <ProblemMessage error={request.error} context="Not requested" />
        )}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={request.busy}>
            {request.busy ? "Requesting…" : "Request rotation"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
