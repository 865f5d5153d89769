import { useState } from "react";
import type { ConsumerUsageView, ConsumerView, KeyView, Page, PlanView, RotationView } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { type ConsumerDialog, ConsumerDialogs } from "../features/consumers/consumer-dialogs.tsx";
import { ConsumerMail } from "../features/consumers/consumer-mail.tsx";
import { ConsumerSummary } from "../features/consumers/consumer-summary.tsx";
import { KeysTable } from "../features/consumers/keys-table.tsx";
import { PlanPicker } from "../features/consumers/plan-picker.tsx";
import { PlanUsage } from "../features/consumers/plan-usage.tsx";
import { PortalLinkButton } from "../features/consumers/portal-link-button.tsx";
import { RotationHistory } from "../features/consumers/rotation-history.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { href } from "../lib/routes.ts";
import { useApi } from "../session/session-context.ts";

export interface ConsumerDetailPageProps {
  readonly id: string;
}

export function ConsumerDetailPage({ id }: ConsumerDetailPageProps) {
  const api = useApi();
  const path = `/v1/consumers/${encodeURIComponent(id)}`;
  const [dialog, setDialog] = useState<ConsumerDialog | null>(null);
  const consumer = usePolling(`consumer:${id}`, (signal) => api.get<ConsumerView>(path, {}, signal));
  const keys = usePolling(`keys:${id}`, async (signal) => {
    const [page, rotations] = await Promise.all([
      api.get<Page<KeyView>>("/v1/keys", { consumerId: id, limit: 1000 }, signal),
      api.get<Page<RotationView>>("/v1/rotations", { consumerId: id, limit: 1000 }, signal),
    ]);
    const rotationOf = new Map<string, string>();
    for (const rotation of rotations.data) {
      if (rotation.state !== "overlapping") continue;
      rotationOf.set(rotation.oldKeyId, rotation.id);
      rotationOf.set(rotation.newKeyId, rotation.id);
    }
    return {
      keys: page.data,
      byId: new Map(page.data.map((key) => [key.id, key])),
      rotations: rotations.data,
      rotationOf,
    };
  });
  const usage = usePolling(`usage:${id}`, (signal) =>
    api.get<ConsumerUsageView>(`${path}/usage`, {}, signal),
  );
  const plans = usePolling("plans", (signal) => api.get<Page<PlanView>>("/v1/plans", {}, signal), 30_000);
  const changed = () => {
    consumer.refresh();
    keys.refresh();
    usage.refresh();
  };
  const current = consumer.data;

  return (
    <>
      <PageHeader
        title={current?.name ?? "Consumer"}
        back={<a href={href.consumers()}>← Consumers</a>}
        subtitle={<LiveNote polled={keys} />}
        actions={
          current === undefined ? undefined : (
            <>
              <PortalLinkButton consumerId={current.id} open={setDialog} />
              <button
                type="button"
                className="button secondary"
                data-needs="operator"
                onClick={() => setDialog({ type: "toggle-disabled" })}
              >
                {current.disabled ? "Enable" : "Disable"}
              </button>
              <button
                type="button"
                className="button primary"
                data-needs="operator"
                onClick={() => setDialog({ type: "create-key" })}
              >
                New key
              </button>
            </>
          )
        }
      />
      <Loadable polled={consumer} label="the consumer">
        {(data) => (
          <>
            <div className="grid-2">
              <Card
                title="Consumer"
                actions={
                  <button
                    type="button"
                    className="button secondary small"
                    data-needs="operator"
                    onClick={() => setDialog({ type: "edit-email" })}
                  >
                    Edit email
                  </button>
                }
              >
                <ConsumerSummary consumer={data} />
              </Card>
              <Card title="Plan and usage">
                <PlanUsage
                  planName={data.plan}
                  plan={plans.data?.data.find((plan) => plan.name === data.plan)}
                  usage={usage}
                />
                <PlanPicker
                  key={data.plan ?? ""}
                  consumerId={data.id}
                  current={data.plan}
                  plans={plans.data?.data ?? []}
                  onChanged={changed}
                />
              </Card>
            </div>
            <Card title="Keys">
              <Loadable polled={keys} label="keys">
                {({ keys: list, rotationOf }) => (
                  <KeysTable
                    keys={list}
                    rotationOf={rotationOf}
                    actions={{
                      rotate: (key) => setDialog({ type: "rotate", key }),
                      requestRotation: (key) => setDialog({ type: "request-rotation", key }),
                      revoke: (key) => setDialog({ type: "revoke", key }),
                      editAllowedIps: (key) => setDialog({ type: "allowed-ips", key }),
                    }}
                  />
                )}
              </Loadable>
            </Card>
            <Card title="Rotations">
              <Loadable polled={keys} label="rotations">
                {({ rotations, byId }) => <RotationHistory rotations={rotations} keys={byId} />}
              </Loadable>
            </Card>
            <ConsumerMail consumer={data} />
            <ConsumerDialogs consumer={data} dialog={dialog} open={setDialog} changed={changed} />
          </>
        )}
      </Loadable>
    </>
  );
}
