import { ALL_EVENTS, type WebhookView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";

export interface WebhooksTableProps {
  readonly webhooks: readonly WebhookView[];
  readonly selected: string | undefined;
  readonly onSelect: (id: string) => void;
  readonly onRotateSecret: (webhook: WebhookView) => void;
  readonly onDelete: (webhook: WebhookView) => void;
}

export function WebhooksTable({
  webhooks,
  selected,
  onSelect,
  onRotateSecret,
  onDelete,
}: WebhooksTableProps) {
  if (webhooks.length === 0)
    return (
      <EmptyState title="No webhook endpoints">
        Add one to hear about rotations, revocations, leaks and failure spikes as they happen.
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Webhook endpoints</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {webhooks.map((webhook) => (
            <tr key={webhook.id} className={webhook.id === selected ? "selected" : undefined}>
              <th scope="row">
                <span className="url">{webhook.url}</span>
                {webhook.description ? <div className="muted small">{webhook.description}</div> : null}
              </th>
              <td>
                {webhook.events.map((event) => (
                  <span key={event} className="chip">
                    {event === ALL_EVENTS ? "every event" : event}
                  </span>
                ))}
              </td>
              <td>
                <StatusBadge status={webhook.disabled ? "disabled" : "enabled"} />
              </td>
              <td>
                <TimeAgo at={webhook.createdAt} />
              </td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-pressed={webhook.id === selected}
                    onClick={() => onSelect(webhook.id)}
                  >
                    Deliveries
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    data-needs="operator"
                    onClick={() => onRotateSecret(webhook)}
                  >
                    Rotate secret
                  </button>
                  <button
                    type="button"
                    className="button danger-outline small"
                    data-needs="operator"
                    onClick={() => onDelete(webhook)}
                  >
                    Delete
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
