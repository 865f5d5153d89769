import { useState } from "react";
import type { CreatedWebhook, Page, WebhookView } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { SecretDialog } from "../components/secret-dialog.tsx";
import { CreateWebhookDialog } from "../features/webhooks/create-webhook-dialog.tsx";
import { WebhookDeliveries } from "../features/webhooks/webhook-deliveries.tsx";
import { WebhooksTable } from "../features/webhooks/webhooks-table.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { useApi } from "../session/session-context.ts";

type WebhookDialog =
  | { readonly type: "create" }
  | { readonly type: "delete"; readonly webhook: WebhookView }
  | { readonly type: "rotate"; readonly webhook: WebhookView }
  | { readonly type: "secret"; readonly title: string; readonly subject: string; readonly secret: string };

export function WebhooksPage() {
  const api = useApi();
  const [dialog, setDialog] = useState<WebhookDialog | null>(null);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const webhooks = usePolling("webhooks", (signal) => api.get<Page<WebhookView>>("/v1/webhooks", {}, signal));
  const list = webhooks.data?.data ?? [];
  const selected = list.find((webhook) => webhook.id === selectedId) ?? list[0];
  const close = () => setDialog(null);
  const showSecret = (title: string, { webhook, secret }: CreatedWebhook) =>
    setDialog({ type: "secret", title, subject: `the endpoint ${webhook.url}`, secret });

  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle={<LiveNote polled={webhooks} />}
        actions={
          <button
            type="button"
            className="button primary"
            data-needs="operator"
            onClick={() => setDialog({ type: "create" })}
          >
            New endpoint
          </button>
        }
      />
      <Card title="Endpoints">
        <Loadable polled={webhooks} label="webhook endpoints" optional>
          {(page) => (
            <WebhooksTable
              webhooks={page.data}
              selected={selected?.id}
              onSelect={setSelectedId}
              onRotateSecret={(webhook) => setDialog({ type: "rotate", webhook })}
              onDelete={(webhook) => setDialog({ type: "delete", webhook })}
            />
          )}
        </Loadable>
      </Card>
      {selected === undefined ? null : <WebhookDeliveries key={selected.id} webhook={selected} />}
      {dialog?.type === "create" ? (
        <CreateWebhookDialog
          onClose={close}
          onCreated={(created) => {
            webhooks.refresh();
            setSelectedId(created.webhook.id);
            showSecret("Webhook endpoint created", created);
          }}
        />
      ) : null}
      {dialog?.type === "rotate" ? (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onClose={close}
          onConfirm={async () => {
            const path = `/v1/webhooks/${encodeURIComponent(dialog.webhook.id)}/rotate-secret`;
            showSecret("Signing secret rotated", await api.send<CreatedWebhook>("POST", path, {}));
            webhooks.refresh();
          }}
        >
          <p>
            A new <code>whsec_…</code> secret is issued. During the overlap every delivery carries both
            signatures, so the receiver can switch without missing an event.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.type === "delete" ? (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          danger
          onClose={close}
          onConfirm={async () => {
            await api.send("DELETE", `/v1/webhooks/${encodeURIComponent(dialog.webhook.id)}`);
            close();
            webhooks.refresh();
          }}
        >
          <p>
            <code>{dialog.webhook.url}</code> receives no more events. Pending deliveries are dropped.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.type === "secret" ? (
        <SecretDialog title={dialog.title} subject={dialog.subject} secret={dialog.secret} onClose={close} />
      ) : null}
    </>
  );
}
