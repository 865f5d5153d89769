import { useState } from "react";
import type { ConsumerView, KeyView, RotationView } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { LazyTrafficChart } from "../features/charts/lazy-charts.tsx";
import { RotationKeys } from "../features/rotations/rotation-keys.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { href } from "../lib/routes.ts";
import { useApi } from "../session/session-context.ts";

export interface RotationPageProps {
  readonly id: string;
}

export function RotationPage({ id }: RotationPageProps) {
  const api = useApi();
  const [confirm, setConfirm] = useState<"rollback" | "complete" | null>(null);
  const polled = usePolling(`rotation:${id}`, async (signal) => {
    const rotation = await api.get<RotationView>(`/v1/rotations/${encodeURIComponent(id)}`, {}, signal);
    const [oldKey, newKey, consumer] = await Promise.all([
      api.get<KeyView>(`/v1/keys/${encodeURIComponent(rotation.oldKeyId)}`, {}, signal),
      api.get<KeyView>(`/v1/keys/${encodeURIComponent(rotation.newKeyId)}`, {}, signal),
      api.get<ConsumerView>(`/v1/consumers/${encodeURIComponent(rotation.consumerId)}`, {}, signal),
    ]);
    return { rotation, oldKey, newKey, consumer };
  });
  const data = polled.data;
  const open = data?.rotation.state === "overlapping";
  const act = async (action: "rollback" | "complete") => {
    await api.send("POST", `/v1/rotations/${encodeURIComponent(id)}/${action}`);
    setConfirm(null);
    polled.refresh();
  };

  return (
    <>
      <PageHeader
        title={data === undefined ? "Rotation" : `Rotation of “${data.oldKey.name}”`}
        back={
          data === undefined ? (
            <a href={href.overview()}>← Overview</a>
          ) : (
            <a href={href.consumer(data.consumer.id)}>← {data.consumer.name}</a>
          )
        }
        subtitle={
          <>
            <code>{id}</code> · <LiveNote polled={polled} />
          </>
        }
        actions={
          open ? (
            <>
              <button
                type="button"
                className="button secondary"
                data-needs="operator"
                onClick={() => setConfirm("rollback")}
              >
                Roll back
              </button>
              <button
                type="button"
                className="button primary"
                data-needs="operator"
                onClick={() => setConfirm("complete")}
              >
                Complete now
              </button>
            </>
          ) : undefined
        }
      />
      <Loadable polled={polled} label="the rotation">
        {({ rotation, oldKey, newKey }) => (
          <>
            <Card title="Traffic: old key vs new key">
              <LazyTrafficChart traffic={rotation.traffic} startedAt={rotation.startedAt} />
            </Card>
            <Card title="Rotation">
              <RotationKeys rotation={rotation} oldKey={oldKey} newKey={newKey} />
            </Card>
          </>
        )}
      </Loadable>
      {confirm === "rollback" ? (
        <ConfirmDialog
          title="Roll back this rotation?"
          confirmLabel="Roll back"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={() => act("rollback")}
        >
          <p>
            The old key becomes active again and the new key is revoked (<code>rolled_back</code>). Clients
            that already switched to the new key will be refused.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirm === "complete" ? (
        <ConfirmDialog
          title="Complete this rotation now?"
          confirmLabel="Complete now"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={() => act("complete")}
        >
          <p>The old key stops working now, on every node. Clients still using it will be refused.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
