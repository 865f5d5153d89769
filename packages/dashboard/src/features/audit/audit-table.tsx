import type { AuditEntryView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

export interface AuditTableProps {
  readonly entries: readonly AuditEntryView[];
  readonly filtered: boolean;
}

function Target({ entry }: { readonly entry: AuditEntryView }) {
  const consumerId = typeof entry.data.consumerId === "string" ? entry.data.consumerId : undefined;
  if (entry.targetType === "consumer") return <a href={href.consumer(entry.targetId)}>{entry.targetId}</a>;
  if (entry.targetType === "rotation") return <a href={href.rotation(entry.targetId)}>{entry.targetId}</a>;
  if (consumerId !== undefined) return <a href={href.consumer(consumerId)}>{entry.targetId}</a>;
  return <>{entry.targetId}</>;
}

/** Audit entries, newest first; the data of each is folded away but one click (or Enter) opens it. */
export function AuditTable({ entries, filtered }: AuditTableProps) {
  if (entries.length === 0)
    return (
      <EmptyState title={filtered ? "No entry matches the filter" : "No audit entries yet"}>
        {filtered ? null : "Every change made through the admin API is recorded here."}
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table audit-table">
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq}>
              <td>{entry.seq}</td>
              <td>
                <TimeAgo at={entry.at} />
              </td>
              <td>
                <span className="muted">{entry.actor.type}</span>{" "}
                {entry.actor.name === undefined ? null : <strong>{entry.actor.name} </strong>}
                <code>{entry.actor.id}</code>
              </td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>
                <span className="muted">{entry.targetType}</span> <Target entry={entry} />
              </td>
              <td>
                <details>
                  <summary>data</summary>
                  <pre className="json">{JSON.stringify(entry.data, null, 2)}</pre>
                </details>
              </td>
              <td>
                <code title={`hash ${entry.hash}\nprevious ${entry.prevHash}`}>
                  {entry.hash.slice(0, 10)}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
