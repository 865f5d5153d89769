import type { KeyView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";
import { AllowedIpsCell } from "./allowed-ips-cell.tsx";
import { type KeyActions, KeyRowActions } from "./key-row-actions.tsx";

export interface KeysTableProps {
  readonly keys: readonly KeyView[];
  /** The open rotation each key takes part in (old or new key), by key id. */
  readonly rotationOf: ReadonlyMap<string, string>;
  readonly actions: KeyActions;
}

/** Who made the key: the consumer in the portal, or an operator (named when the API names them). */
function creator(createdBy: string): string {
  if (createdBy === "consumer") return "by the consumer";
  if (createdBy.startsWith("operator:")) return `by ${createdBy.slice("operator:".length)}`;
  return "by an operator";
}

/** Lineages in the order they were started; inside one, the newest version first. */
function sortByLineage(keys: readonly KeyView[]): KeyView[] {
  const lineageStart = new Map<string, number>();
  for (const key of keys) {
    const created = Date.parse(key.createdAt);
    lineageStart.set(key.lineageId, Math.min(lineageStart.get(key.lineageId) ?? created, created));
  }
  return [...keys].sort(
    (a, b) =>
      (lineageStart.get(a.lineageId) ?? 0) - (lineageStart.get(b.lineageId) ?? 0) ||
      a.lineageId.localeCompare(b.lineageId) ||
      b.version - a.version,
  );
}

export function KeysTable({ keys, rotationOf, actions }: KeysTableProps) {
  if (keys.length === 0)
    return <EmptyState title="No keys yet">Create a key: its secret is shown once, in a dialog.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table keys-table">
        <caption className="visually-hidden">Keys</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Status</th>
            <th scope="col">Allowed IPs</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Sunset in</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sortByLineage(keys).map((key) => {
            const rotationId = rotationOf.get(key.id);
            const valid = key.status === "active" || key.status === "deprecated";
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row">
                  {key.name} <span className="version">v{key.version}</span>
                  <div>
                    <code className="hint">{key.hint}</code>
                  </div>
                </th>
                <td className="wrap">
                  {key.scopes.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    key.scopes.map((scope) => (
                      <span key={scope} className="chip">
                        {scope}
                      </span>
                    ))
                  )}
                </td>
                <td className="wrap">
                  <StatusBadge status={key.status} />
                  {key.status === "active" && key.sunsetAt !== null ? (
                    <span className="chip chip-warn">rotation due</span>
                  ) : null}
                  {rotationId === undefined ? null : (
                    <div>
                      <a href={href.rotation(rotationId)} className="small">
                        View rotation
                      </a>
                    </div>
                  )}
                </td>
                <td>
                  <AllowedIpsCell keyView={key} onEdit={valid ? actions.editAllowedIps : undefined} />
                </td>
                <td>
                  <TimeAgo at={key.createdAt} />
                  <div className="muted small">{creator(key.createdBy)}</div>
                </td>
                <td>
                  <TimeAgo at={key.lastUsedAt} />
                </td>
                <td>
                  {key.sunsetAt !== null && valid ? (
                    <Countdown to={key.sunsetAt} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <KeyRowActions keyView={key} actions={actions} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
