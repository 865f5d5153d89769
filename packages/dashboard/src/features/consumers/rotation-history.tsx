import type { KeyView, RotationView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

export interface RotationHistoryProps {
  readonly rotations: readonly RotationView[];
  readonly keys: ReadonlyMap<string, KeyView>;
}

/** Every rotation of the consumer's keys, newest first, each linking to its traffic page. */
export function RotationHistory({ rotations, keys }: RotationHistoryProps) {
  if (rotations.length === 0)
    return (
      <EmptyState title="No rotations yet">Rotate a key above; each rotation is listed here.</EmptyState>
    );
  const newest = [...rotations].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Rotations, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Rotation</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
            <th scope="col">Old key stops / stopped</th>
          </tr>
        </thead>
        <tbody>
          {newest.map((rotation) => {
            const oldKey = keys.get(rotation.oldKeyId);
            const newKey = keys.get(rotation.newKeyId);
            const label =
              oldKey === undefined
                ? rotation.id
                : `${oldKey.name} v${oldKey.version} → v${newKey?.version ?? oldKey.version + 1}`;
            return (
              <tr key={rotation.id}>
                <th scope="row">
                  <a href={href.rotation(rotation.id)}>{label}</a>
                </th>
                <td>
                  <StatusBadge status={rotation.state} />
                </td>
                <td>
                  <TimeAgo at={rotation.startedAt} />
                </td>
                <td>
                  {rotation.state === "overlapping" ? (
                    <Countdown to={rotation.sunsetAt} passed="retiring now" />
                  ) : (
                    <TimeAgo at={rotation.completedAt ?? rotation.sunsetAt} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
