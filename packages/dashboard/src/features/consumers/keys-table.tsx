import type { KeyView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

export interface KeyActions {
  rotate(key: KeyView): void;
  requestRotation(key: KeyView): void;
  revoke(key: KeyView): void;
}

export interface KeysTableProps {
  readonly keys: readonly KeyView[];
  /** The open rotation each key takes part in (old or new key), by key id. */
  readonly rotationOf: ReadonlyMap<string, string>;
  readonly actions: KeyActions;
}

function isValid(key: KeyView): boolean {
  return key.status === "active" || key.status === "deprecated";
}

/** Keys newest lineage version first; only the newest valid version of a lineage can be rotated. */
export function KeysTable({ keys, rotationOf, actions }: KeysTableProps) {
  if (keys.length === 0)
    return <EmptyState title="No keys yet">Create a key: its secret is shown once, in a dialog.</EmptyState>;
  const newest = new Map<string, number>();
  const lineageStart = new Map<string, number>();
  for (const key of keys) {
    newest.set(key.lineageId, Math.max(newest.get(key.lineageId) ?? 0, key.version));
    const created = Date.parse(key.createdAt);
    lineageStart.set(key.lineageId, Math.min(lineageStart.get(key.lineageId) ?? created, created));
  }
  // Lineages in the order they were started; inside one, the newest version first.
  const sorted = [...keys].sort(
    (a, b) =>
      (lineageStart.get(a.lineageId) ?? 0) - (lineageStart.get(b.lineageId) ?? 0) ||
      a.lineageId.localeCompare(b.lineageId) ||
      b.version - a.version,
  );
  return (
    <div className="table-wrap">
      <table className="table keys-table">
        <caption className="visually-hidden">Keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Hint</th>
            <th scope="col">Ver.</th>
            <th scope="col">Scopes</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Sunset in</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((key) => {
            const rotationId = rotationOf.get(key.id);
            const due = key.status === "active" && key.sunsetAt !== null;
            const canRotate = isValid(key) && newest.get(key.lineageId) === key.version;
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row">{key.name}</th>
                <td>
                  <code>{key.hint}</code>
                </td>
                <td>v{key.version}</td>
                <td>
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
                <td>
                  <StatusBadge status={key.status} />
                  {due ? <span className="chip chip-warn">rotation due</span> : null}
                </td>
                <td>
                  <TimeAgo at={key.createdAt} />
                </td>
                <td>
                  <TimeAgo at={key.lastUsedAt} />
                </td>
                <td>
                  {key.sunsetAt !== null && isValid(key) ? (
                    <Countdown to={key.sunsetAt} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="row-actions">
                  {rotationId === undefined ? null : (
                    <a className="button link small" href={href.rotation(rotationId)}>
                      Rotation
                    </a>
                  )}
                  {canRotate ? (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => actions.rotate(key)}
                      aria-label={`Rotate ${key.name} v${key.version}`}
                    >
                      Rotate
                    </button>
                  ) : null}
                  {canRotate && key.status === "active" && !due ? (
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => actions.requestRotation(key)}
                      aria-label={`Request rotation of ${key.name} v${key.version}`}
                    >
                      Request rotation
                    </button>
                  ) : null}
                  {isValid(key) ? (
                    <button
                      type="button"
                      className="button danger-outline small"
                      onClick={() => actions.revoke(key)}
                      aria-label={`Revoke ${key.name} v${key.version}`}
                    >
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
