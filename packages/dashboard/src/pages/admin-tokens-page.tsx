import { useState } from "react";
import type { AdminTokenView, CreatedAdminToken } from "../api/operator-types.ts";
import type { Page } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { SecretDialog } from "../components/secret-dialog.tsx";
import { AdminTokensTable } from "../features/admin-tokens/admin-tokens-table.tsx";
import { CreateAdminTokenDialog } from "../features/admin-tokens/create-admin-token-dialog.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { useApi } from "../session/session-context.ts";

type TokenDialog =
  | { readonly type: "create" }
  | { readonly type: "revoke"; readonly token: AdminTokenView }
  | { readonly type: "secret"; readonly created: CreatedAdminToken };

/** Admin tokens (admin role only): list, create with a copy-once secret, revoke on every node. */
export function AdminTokensPage() {
  const api = useApi();
  const [dialog, setDialog] = useState<TokenDialog | null>(null);
  const tokens = usePolling("admin-tokens", (signal) =>
    api.get<Page<AdminTokenView>>("/v1/admin-tokens", { limit: 1000 }, signal),
  );
  const close = () => setDialog(null);
  return (
    <>
      <PageHeader
        title="Admin tokens"
        subtitle={<LiveNote polled={tokens} />}
        actions={
          <button
            type="button"
            className="button primary"
            data-needs="admin"
            onClick={() => setDialog({ type: "create" })}
          >
            New admin token
          </button>
        }
      />
      <Card title="Tokens">
        <Loadable polled={tokens} label="admin tokens">
          {(page) => (
            <AdminTokensTable tokens={page.data} onRevoke={(token) => setDialog({ type: "revoke", token })} />
          )}
        </Loadable>
      </Card>
      {dialog?.type === "create" ? (
        <CreateAdminTokenDialog
          onClose={close}
          onCreated={(created) => {
            tokens.refresh();
            setDialog({ type: "secret", created });
          }}
        />
      ) : null}
      {dialog?.type === "secret" ? (
        <SecretDialog
          title="Admin token created"
          subject={`the ${dialog.created.token.role} token ${dialog.created.token.name}`}
          secret={dialog.created.secret}
          onClose={close}
        />
      ) : null}
      {dialog?.type === "revoke" ? (
        <ConfirmDialog
          title={`Revoke ${dialog.token.name}?`}
          confirmLabel="Revoke token"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.send("DELETE", `/v1/admin-tokens/${encodeURIComponent(dialog.token.id)}?wait=true`);
            close();
            tokens.refresh();
          }}
        >
          <p>
            Every node refuses <strong>{dialog.token.name}</strong> ({dialog.token.role}) from now on. Whoever
            uses it needs a new token. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
