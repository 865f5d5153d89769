import { useState } from "react";
import type { DeliveryView, Page, WebhookView } from "../../api/types.ts";
import { Card } from "../../components/card.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import { useMutation } from "../../hooks/use-mutation.ts";
import { useTail } from "../../hooks/use-tail.ts";
import { useApi } from "../../session/session-context.ts";
import { DeliveriesTable } from "./deliveries-table.tsx";

const KEPT = 200;

export interface WebhookDeliveriesProps {
  readonly webhook: WebhookView;
}

/** The deliveries of one endpoint, with redelivery. */
export function WebhookDeliveries({ webhook }: WebhookDeliveriesProps) {
  const api = useApi();
  const base = `/v1/webhooks/${encodeURIComponent(webhook.id)}/deliveries`;
  const deliveries = useTail<DeliveryView>(
    `deliveries:${webhook.id}`,
    (after, signal) => api.get<Page<DeliveryView>>(base, { after, limit: 200 }, signal),
    { cursorOf: (delivery) => delivery.id, maxItems: KEPT, mutable: true },
  );
  const [busyId, setBusyId] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const redeliver = useMutation((delivery: DeliveryView) =>
    api.send("POST", `${base}/${encodeURIComponent(delivery.id)}/redeliver`),
  );
  const send = async (delivery: DeliveryView) => {
    setBusyId(delivery.id);
    setNotice(undefined);
    await redeliver.run(delivery);
    setBusyId(undefined);
    setNotice(`Redelivery of ${delivery.eventType} queued.`);
    deliveries.refresh();
  };
  return (
    <Card title={`Deliveries to ${webhook.url}`}>
      <p className="muted small" role="status">
        {redeliver.error === undefined ? notice : null}
      </p>
      {redeliver.error === undefined ? null : (
        <ProblemMessage error={redeliver.error} context="Not redelivered" />
      )}
      <Loadable polled={deliveries} label="deliveries" optional>
        {(list) => (
          <DeliveriesTable
            deliveries={[...list].reverse()}
            busyId={busyId}
            onRedeliver={(d) => void send(d)}
          />
        )}
      </Loadable>
    </Card>
  );
}
