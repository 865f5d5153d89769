import { type FormEvent, useState } from "react";
import { type AdminRole, type CreatedAdminToken, ROLE_DESCRIPTIONS } from "../../api/operator-types.ts";
import { Dialog } from "../../components/dialog.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { SelectField } from "../../components/select-field.tsx";
import { TextField } from "../../components/text-field.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useApi } from "../../session/session-context.ts";

export interface CreateAdminTokenDialogProps {
  readonly onCreated: (created: CreatedAdminToken) => void;
  readonly onClose: () => void;
}

const ROLES: readonly AdminRole[] = ["viewer", "operator", "admin", "verifier"];

/** Name, role and optional expiry of a new admin token; the secret is shown by the caller, once. */
export function CreateAdminTokenDialog({ onCreated, onClose }: CreateAdminTokenDialogProps) {
  const api = useApi();
  const [name, setName] = useState("");
  const [role, setRole] = useState<AdminRole>("viewer");
  const [expiresAt, setExpiresAt] = useState("");
  const create = useMutation(() =>
    api.send<CreatedAdminToken>("POST", "/v1/admin-tokens", {
      name: name.trim(),
      role,
      // A datetime-local value is the browser's local time; the API takes an instant.
      ...(expiresAt === "" ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.run();
    if (created !== undefined) onCreated(created);
  };
  return (
    <Dialog title="New admin token" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={create.error?.fieldMessage("name")}
          hint="Who or what uses it, e.g. grafana or deploy-bot. The audit log names changes by it."
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as AdminRole)}
          options={ROLES.map((value) => ({ value, label: ROLE_DESCRIPTIONS[value] }))}
          error={create.error?.fieldMessage("role")}
        />
        <TextField
          label="Expires (optional)"
          type="datetime-local"
          value={expiresAt}
          onChange={(event) => setExpiresAt(event.target.value)}
          error={create.error?.fieldMessage("expiresAt")}
        />
        {create.error === undefined ? null : <ProblemMessage error={create.error} context="Not created" />}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.busy || name.trim() === ""}>
            {create.busy ? "Creating…" : "Create token"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
