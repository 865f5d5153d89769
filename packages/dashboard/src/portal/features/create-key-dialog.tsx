import { type FormEvent, useRef, useState } from "react";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { RadioGroup } from "../../components/radio-group.tsx";
import { TextAreaField } from "../../components/text-area-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { ALLOWED_IPS_HINT, allowedIpsError, parseAllowedIps } from "../../lib/allowed-ips.ts";
import type { CreatedKey, KeyEnv } from "../api/portal-types.ts";
import { CheckboxGroup } from "../components/checkbox-group.tsx";
import { usePortalSession } from "../session/portal-session.ts";

export interface CreateKeyDialogProps {
  readonly onCreated: (created: CreatedKey) => void;
  readonly onClose: () => void;
}

export function CreateKeyDialog({ onCreated, onClose }: CreateKeyDialogProps) {
  const { api, me } = usePortalSession();
  // The server's list when it sends one (the plan's, else every routed scope), else the plan's.
  const allowedScopes = me.scopes ?? me.plan?.scopes ?? [];
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ReadonlySet<string>>(new Set());
  const [env, setEnv] = useState<KeyEnv>("live");
  const [expiresAt, setExpiresAt] = useState("");
  const [allowedIps, setAllowedIps] = useState("");
  // The API's problems point at allowlist entries by index: kept as sent.
  const sentIps = useRef<readonly string[]>([]);
  const create = useMutation(() => {
    const ips = parseAllowedIps(allowedIps);
    sentIps.current = ips;
    return api.send<CreatedKey>("POST", "/keys", {
      name: name.trim(),
      scopes: allowedScopes.filter((scope) => scopes.has(scope)),
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
    <Dialog title="Create a key" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={error?.fieldMessage("name")}
          hint="What you use it for, e.g. Production server."
        />
        <CheckboxGroup
          legend="Scopes"
          options={allowedScopes}
          checked={scopes}
          onChange={setScopes}
          error={error?.fieldMessage("scopes")}
          hint={
            allowedScopes.length === 0
              ? "Your plan offers no scopes: the key calls the routes that need none."
              : "What the key may do beyond the routes that need no scope."
          }
        />
        <RadioGroup
          legend="Environment"
          name="env"
          value={env}
          onChange={setEnv}
          options={[
            { value: "live", label: "Live", hint: "kg_live_…" },
            { value: "test", label: "Test", hint: "kg_test_…" },
          ]}
        />
        <TextField
          label="Expires (optional)"
          type="datetime-local"
          value={expiresAt}
          onChange={(event) => setExpiresAt(event.target.value)}
          error={error?.fieldMessage("expiresAt")}
          hint="Empty: the key works until you rotate or revoke it."
        />
        <TextAreaField
          label="Allowed IPs (optional)"
          rows={3}
          spellCheck={false}
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
          <button type="submit" className="button primary" disabled={create.busy || name.trim() === ""}>
            {create.busy ? "Creating…" : "Create key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
