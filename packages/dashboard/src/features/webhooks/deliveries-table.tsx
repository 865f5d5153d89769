import type { DeliveryView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";

export interface DeliveriesTableProps {
  readonly deliveries: readonly DeliveryView[];
  readonly onRedeliver: (delivery: DeliveryView) => void;
  /** The delivery being re-sent, if any. */
  readonly busyId: string | undefined;
}

/** Delivery attempts, newest first. */
export function DeliveriesTable({ deliveries, onRedeliver, busyId }: DeliveriesTableProps) {
  if (deliveries.length === 0)
    return (
      <EmptyState title="No deliveries yet">
        Events this endpoint listens to appear here once sent.
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempt</th>
            <th scope="col">Response</th>
            <th scope="col">When</th>
            <th scope="col">Next attempt</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <code>{delivery.eventType}</code>
                <div className="muted small">{delivery.eventId}</div>
              </td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td>{delivery.attempt}</td>
              <td>
                {delivery.responseStatus === null ? (
                  <span className="muted">—</span>
                ) : (
                  delivery.responseStatus
                )}
                {delivery.error === null ? null : <div className="field-error small">{delivery.error}</div>}
              </td>
              <td>
                <TimeAgo at={delivery.at} />
              </td>
              <td>
                <TimeAgo at={delivery.nextAttemptAt} never="—" />
              </td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={busyId === delivery.id}
                    data-needs="operator"
                    onClick={() => onRedeliver(delivery)}
                    aria-label={`Redeliver ${delivery.eventType} ${delivery.eventId}`}
                  >
                    {busyId === delivery.id ? "Sending…" : "Redeliver"}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
