import type { ConsumerView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

export interface ConsumersTableProps {
  readonly consumers: readonly ConsumerView[];
  readonly filtered: boolean;
}

export function ConsumersTable({ consumers, filtered }: ConsumersTableProps) {
  if (consumers.length === 0)
    return filtered ? (
      <EmptyState title="No consumer matches the filter" />
    ) : (
      <EmptyState title="No consumers yet">Create one, then issue its first key from its page.</EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Consumers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Plan</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {consumers.map((consumer) => (
            <tr key={consumer.id}>
              <th scope="row">
                <a href={href.consumer(consumer.id)}>{consumer.name}</a>
              </th>
              <td>
                <code>{consumer.id}</code>
              </td>
              <td>{consumer.plan ?? <span className="muted">no plan (unlimited)</span>}</td>
              <td>
                <StatusBadge status={consumer.disabled ? "disabled" : "enabled"} />
              </td>
              <td>
                <TimeAgo at={consumer.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
