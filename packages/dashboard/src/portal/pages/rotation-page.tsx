import { useState } from "react";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { LiveNote } from "../../components/live-note.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { LazyTrafficChart } from "../../features/charts/lazy-charts.tsx";
import { POLL_MS, usePolling } from "../../hooks/use-polling.ts";
import type { PortalKey, PortalRotation } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { RotationSummary } from "../features/rotation-summary.tsx";
import { portalHref } from "../lib/portal-routes.ts";
import { usePortalSession } from "../session/portal-session.ts";

export interface RotationPageProps {
  readonly id: string;
}

/** Old vs new key traffic while both work, refreshed every 3 s while the tab is visible. */
export function RotationPage({ id }: RotationPageProps) {
  const { api, refreshMe } = usePortalSession();
  const [confirm, setConfirm] = useState<"rollback" | "complete" | null>(null);
  const polled = usePolling(
    `rotation:${id}`,
    async (signal) => {
      const rotation = await api.get<PortalRotation>(`/rotations/${encodeURIComponent(id)}`, {}, signal);
      const [oldKey, newKey] = await Promise.all([
        api.get<PortalKey>(`/keys/${encodeURIComponent(rotation.oldKeyId)}`, {}, signal),
        api.get<PortalKey>(`/keys/${encodeURIComponent(rotation.newKeyId)}`, {}, signal),
      ]);
      return { rotation, oldKey, newKey };
    },
    POLL_MS,
  );
  const data = polled.data;
  const open = data?.rotation.state === "overlapping";
  const act = async (action: "rollback" | "complete") => {
    await api.send("POST", `/rotations/${encodeURIComponent(id)}/${action}`);
    setConfirm(null);
    polled.refresh();
    refreshMe();
  };
  const back = <PortalLink to={portalHref.keys()}>← Key list</PortalLink>;

  if (data === undefined && polled.error?.status === 404)
    return (
      <>
        <PageHeader title="Rotation not found" back={back} />
        <EmptyState title="There is no such rotation among your keys">
          <PortalLink to={portalHref.keys()}>Back to the key list</PortalLink>
        </EmptyState>
      </>
    );
  return (
    <>
      <PageHeader
        title={data === undefined ? "Rotation" : `Rotation of “${data.oldKey.name}”`}
        back={back}
        subtitle={<LiveNote polled={polled} />}
        actions={
          open ? (
            <>
              <button type="button" className="button secondary" onClick={() => setConfirm("rollback")}>
                Roll back
              </button>
              <button type="button" className="button primary" onClick={() => setConfirm("complete")}>
                Complete now
              </button>
            </>
          ) : undefined
        }
      />
      <Loadable polled={polled} label="the rotation">
        {({ rotation, oldKey, newKey }) => (
          <>
            <Card title="Where it stands">
              <RotationSummary rotation={rotation} oldKey={oldKey} newKey={newKey} />
            </Card>
            <Card title="Traffic: old key vs new key">
              <LazyTrafficChart traffic={rotation.traffic} startedAt={rotation.startedAt} />
            </Card>
          </>
        )}
      </Loadable>
      {confirm === "complete" ? (
        <ConfirmDialog
          title="Complete the rotation now?"
          confirmLabel="Complete now"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={() => act("complete")}
        >
          <p>
            The old key stops working now. Any client still sending it will be refused, so check the chart
            first: its traffic should have dropped to zero.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirm === "rollback" ? (
        <ConfirmDialog
          title="Roll back the rotation?"
          confirmLabel="Roll back"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={() => act("rollback")}
        >
          <p>
            The old key keeps working as before, and the new key is revoked: clients that already switched to
            it will be refused.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
