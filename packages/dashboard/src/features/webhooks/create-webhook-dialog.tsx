import { type FormEvent, useId, useState } from "react";
import { ALL_EVENTS, type CreatedWebhook, WEBHOOK_EVENTS } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface CreateWebhookDialogProps {
  readonly onCreated: (created: CreatedWebhook) => void;
  readonly onClose: () => void;
}

export function CreateWebhookDialog({ onCreated, onClose }: CreateWebhookDialogProps) {
  const api = useApi();
  const id = useId();
  const [url, setUrl] = useState("https://");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<readonly string[]>(["key.rotated", "key.revoked", "key.leaked"]);
  const create = useMutation(() =>
    api.send<CreatedWebhook>("POST", "/v1/webhooks", {
      url: url.trim(),
      events,
      ...(description.trim() === "" ? {} : { description: description.trim() }),
    }),
  );
  const toggle = (event: string, on: boolean) =>
    setEvents(on ? [...events, event] : events.filter((name) => name !== event));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.run();
    if (created !== undefined) onCreated(created);
  };
  const eventsError = create.error?.fieldMessage("events");
  return (
    <Dialog title="New webhook endpoint" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="URL"
          type="url"
          required
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          error={create.error?.fieldMessage("url")}
          hint="keygate POSTs signed events here (Standard Webhooks)."
        />
        <TextField
          label="Description (optional)"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          error={create.error?.fieldMessage("description")}
        />
        <fieldset
          className="fieldset"
          aria-describedby={eventsError === undefined ? undefined : `${id}-error`}
        >
          <legend className="field-label">Events</legend>
          <label className="checkbox every-event">
            <input
              type="checkbox"
              checked={events.includes(ALL_EVENTS)}
              onChange={(change) => setEvents(change.target.checked ? [ALL_EVENTS] : [])}
            />
            Every event, including ones added later (<code>*</code>)
          </label>
          <div className="checkbox-grid">
            {WEBHOOK_EVENTS.map((event) => (
              <label key={event} className="checkbox">
                <input
                  type="checkbox"
                  checked={events.includes(event)}
                  disabled={events.includes(ALL_EVENTS)}
                  onChange={(change) => toggle(event, change.target.checked)}
                />
                <code>{event}</code>
              </label>
            ))}
          </div>
          {eventsError === undefined ? null : (
            <p id={`${id}-error`} className="field-error">
              {eventsError}
            </p>
          )}
        </fieldset>
        {create.error === undefined ? null : <ProblemMessage error={create.error} context="Not created" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.busy || events.length === 0}>
            {create.busy ? "Creating…" : "Create endpoint"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
