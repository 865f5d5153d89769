import { type FormEvent, useState } from "react";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { CheckboxGroup } from "../components/checkbox-group.tsx";
import { mailKindText, optionalMailKinds } from "../lib/mail-kinds.ts";
import { usePortalSession } from "../session/portal-session.ts";

type Settings = Readonly<Record<string, boolean>>;

function checkedOf(settings: Settings): ReadonlySet<string> {
  return new Set(Object.keys(settings).filter((kind) => settings[kind] === true));
}

/**
 * The optional mail kinds as checkboxes, saved together. The form keeps its
 * own state after the first render: `/me` is polled, and a poll must not
 * undo what the consumer is ticking.
 */
export function MailSettingsForm() {
  const { api, me, refreshMe } = usePortalSession();
  const [saved, setSaved] = useState<Settings>(me.notifications);
  const [checked, setChecked] = useState<ReadonlySet<string>>(() => checkedOf(me.notifications));
  const [status, setStatus] = useState("");
  const kinds = optionalMailKinds(saved);
  const changed = kinds.some((kind) => checked.has(kind) !== (saved[kind] === true));
  const save = useMutation(() =>
    api.send<{ notifications: Settings }>("PATCH", "/me", {
      notifications: Object.fromEntries(kinds.map((kind) => [kind, checked.has(kind)])),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus("");
    const answer = await save.run();
    if (answer === undefined) return;
    setSaved(answer.notifications);
    setChecked(checkedOf(answer.notifications));
    const on = kinds.filter((kind) => answer.notifications[kind] === true).length;
    setStatus(`Saved. You receive ${on} of ${kinds.length} kinds of optional mail.`);
    refreshMe();
  };
  return (
    <form className="mail-settings" onSubmit={(event) => void submit(event)} noValidate>
      <CheckboxGroup
        legend="Mail I want to receive"
        stacked
        options={kinds.map((kind) => ({ value: kind, ...mailKindText(kind) }))}
        checked={checked}
        onChange={(next) => {
          setChecked(next);
          setStatus("");
        }}
        disabled={save.busy}
      />
      {save.error === undefined ? null : <ProblemMessage error={save.error} context="Not saved" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.busy || !changed}>
          {save.busy ? "Saving…" : "Save"}
        </button>
        <p className="form-status" role="status">
          {changed && status === "" ? <span className="muted">You have unsaved changes.</span> : status}
        </p>
      </div>
    </form>
  );
}
