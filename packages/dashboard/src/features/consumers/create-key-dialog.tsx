import { type FormEvent, useRef, useState } from "react";
import type { CreatedKey } from "../../api/types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { SelectField } from "../../components/select-field.tsx";
import { TextAreaField } from "../../components/text-area-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { ALLOWED_IPS_HINT, allowedIpsError, parseAllowedIps } from "../../lib/allowed-ips.ts";
import { useApi } from "../../session/session-context.ts";

export interface CreateKeyDialogProps {
  readonly consumerId: string;
  readonly onCreated: (created: CreatedKey) => void;
  readonly onClose: () => void;
}

function parseScopes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");
}

export function CreateKeyDialog({ consumerId, onCreated, onClose }: CreateKeyDialogProps) {
  const api = useApi();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState("read");
  const [env, setEnv] = useState<"live" | "test">("live");
  const [expiresAt, setExpiresAt] = useState("");
  const [allowedIps, setAllowedIps] = useState("");
  // The API's problems point at allowlist entries by index: kept as sent.
  const sentIps = useRef<readonly string[]>([]);
  const create = useMutation(() => {
    const ips = parseAllowedIps(allowedIps);
    sentIps.current = ips;
    return api.send<CreatedKey>("POST", `/v1/consumers/${encodeURIComponent(consumerId)}/keys`, {
      name: name.trim(),
      scopes: parseScopes(scopes),
      env,
      ...(expiresAt === "" ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
      // Left out when empty: "any address" is the default.
      ...(ips.length === 0 ? {} : { allowedIps: ips }),
    });
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.run();
    if (created !== undefined) onCreated(created);
  };
  const error = create.error;
  return (
    <Dialog title="New key" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={error?.fieldMessage("name")}
          hint="What the consumer uses it for, e.g. Production."
        />
        <TextField
          label="Scopes"
          value={scopes}
          onChange={(event) => setScopes(event.target.value)}
          error={error?.fieldMessage("scopes")}
          hint="Separated by commas or spaces, e.g. read, trade. Empty: no scope."
        />
        <SelectField
          label="Environment"
          value={env}
          onChange={(event) => setEnv(event.target.value === "test" ? "test" : "live")}
          options={[
            { value: "live", label: "live (kg_live_…)" },
            { value: "test", label: "test (kg_test_…)" },
          ]}
          error={error?.fieldMessage("env")}
        />
        <TextField
          label="Expires at (optional)"
          type="datetime-local"
          value={expiresAt}
          onChange={(event) => setExpiresAt(event.target.value)}
          error={error?.fieldMessage("expiresAt")}
        />
        <TextAreaField
          label="Allowed IPs (optional)"
          rows={3}
          spellCheck={false}
          autoComplete="off"
          value={allowedIps}
          onChange={(event) => setAllowedIps(event.target.value)}
          error={allowedIpsError(error, sentIps.current)}
          hint={ALLOWED_IPS_HINT}
        />
        {error === undefined ? null : <ProblemMessage error={error} context="Key not created" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.busy}>
            {create.busy ? "Creating…" : "Create key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
