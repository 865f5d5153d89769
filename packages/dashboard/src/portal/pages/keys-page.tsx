import { useId, useState } from "react";
import { Card } from "../../components/card.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { usePolling } from "../../hooks/use-polling.ts";
import type { CreatedKey, PortalKey } from "../api/portal-types.ts";
import { CreateKeyDialog } from "../features/create-key-dialog.tsx";
import { KeySecretDialog } from "../features/key-secret-dialog.tsx";
import { PlanSummary } from "../features/plan-summary.tsx";
import { PortalKeysTable } from "../features/portal-keys-table.tsx";
import { usePortalSession } from "../session/portal-session.ts";

/** Keys change by traffic (last used, requests) and by the consumer's own actions, which refresh at once. */
const KEYS_POLL_MS = 10_000;

type Dialog = { readonly type: "create" } | { readonly type: "secret"; readonly created: CreatedKey };

const isWorking = (key: PortalKey) => key.status === "active" || key.status === "deprecated";

export function KeysPage() {
  const { api, me, refreshMe } = usePortalSession();
  const limitNoteId = useId();
  const [showRetired, setShowRetired] = useState(false);
  // The secret lives only here, only while its dialog is open.
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const keys = usePolling(
    "keys",
    (signal) => api.get<{ data: PortalKey[] }>("/keys", {}, signal),
    KEYS_POLL_MS,
  );
  const working = keys.data?.data.filter(isWorking).length ?? 0;
  const max = me.portal.maxKeysPerConsumer;
  const atLimit = working >= max;

  return (
    <>
      <PageHeader
        title="API keys"
        subtitle={
          <>
            Call <code>{me.portal.gatewayUrl}</code> with a key in the <code>x-api-key</code> header.
          </>
        }
        actions={
          <div className="create-key-action">
            <button
              type="button"
              className="button primary"
              disabled={keys.data === undefined || atLimit}
              aria-describedby={atLimit ? limitNoteId : undefined}
              onClick={() => setDialog({ type: "create" })}
            >
              Create key
            </button>
            {atLimit ? (
              <p id={limitNoteId} className="field-hint">
                You have {working} working keys, the most allowed ({max}). Revoke one to create another.
              </p>
            ) : null}
          </div>
        }
      />
      <Card title="Your plan">
        <PlanSummary me={me} />
      </Card>
      <Card
        title="Keys"
        actions={
          <label className="checkbox">
            <input
              type="checkbox"
              checked={showRetired}
              onChange={(event) => setShowRetired(event.target.checked)}
            />
            <span>Show retired keys</span>
          </label>
        }
      >
        <Loadable polled={keys} label="your keys">
          {({ data }) => {
            const shown = showRetired ? data : data.filter(isWorking);
            return <PortalKeysTable keys={shown} hiddenRetired={data.length - shown.length} />;
          }}
        </Loadable>
      </Card>
      {dialog?.type === "create" ? (
        <CreateKeyDialog
          onClose={() => setDialog(null)}
          onCreated={(created) => {
            keys.refresh();
            refreshMe();
            setDialog({ type: "secret", created });
          }}
        />
      ) : null}
      {dialog?.type === "secret" ? (
        <KeySecretDialog
          title="Key created"
          keyView={dialog.created.key}
          secret={dialog.created.secret}
          onDone={() => setDialog(null)}
        />
      ) : null}
    </>
  );
}
