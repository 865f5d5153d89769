import { type FormEvent, useRef, useState } from "react";
import type { KeyView } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { TextAreaField } from "../../components/text-area-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import {
  ALLOWED_IPS_HINT,
  allowedIpsError,
  formatAllowedIps,
  parseAllowedIps,
} from "../../lib/allowed-ips.ts";
import { useApi } from "../../session/session-context.ts";

export interface AllowedIpsDialogProps {
  readonly keyView: KeyView;
  readonly onSaved: () => void;
  readonly onClose: () => void;
}

/**
 * Sets where a key may be used from; an empty list lifts the restriction
 * (`null`). Every node drops the key from its cache, so it holds at once.
 */
export function AllowedIpsDialog({ keyView, onSaved, onClose }: AllowedIpsDialogProps) {
  const api = useApi();
  const [text, setText] = useState(formatAllowedIps(keyView.allowedIps));
  // The API's problems point at entries by index: kept as sent, so editing the text cannot shift them.
  const sent = useRef<readonly string[]>([]);
  const save = useMutation(() => {
    const list = parseAllowedIps(text);
    sent.current = list;
    return api.send<{ key: KeyView }>("PATCH", `/v1/keys/${encodeURIComponent(keyView.id)}`, {
      allowedIps: list.length === 0 ? null : list,
    });
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await save.run()) !== undefined) onSaved();
  };
  return (
    <Dialog
      title={`Allowed IPs of “${keyView.name}” v${keyView.version}`}
      onClose={onClose}
      description={
        <p>
          Requests with <code>{keyView.hint}</code> from any other address are refused (403 IP_NOT_ALLOWED) on
          every node within seconds.
        </p>
      }
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextAreaField
          label="Allowed IPs"
          rows={6}
          spellCheck={false}
          autoComplete="off"
          value={text}
          onChange={(event) => setText(event.target.value)}
          error={allowedIpsError(save.error, sent.current)}
          hint={ALLOWED_IPS_HINT}
        />
        {save.error === undefined ? null : <ProblemMessage error={save.error} context="Not saved" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={save.busy}>
            {save.busy ? "Saving…" : "Save allowed IPs"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
