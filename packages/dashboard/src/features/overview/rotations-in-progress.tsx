import type { ConsumerView, KeyView, RotationView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

export interface RotationsInProgressProps {
  readonly rotations: readonly RotationView[];
  readonly consumers: ReadonlyMap<string, ConsumerView>;
  /** Old keys by id, for their names. */
  readonly keys: ReadonlyMap<string, KeyView>;
}

function keyLabel(key: KeyView | undefined, rotation: RotationView): string {
  return key === undefined ? rotation.id : `${key.name} v${key.version} → v${key.version + 1}`;
}

/** Open overlap windows, soonest sunset first, each counting down to the moment the old key stops. */
export function RotationsInProgress({ rotations, consumers, keys }: RotationsInProgressProps) {
  if (rotations.length === 0)
    return (
      <EmptyState title="No rotation in progress">
        Rotate a key from a consumer's page; its overlap window shows here until it completes.
      </EmptyState>
    );
  const sorted = [...rotations].sort((a, b) => Date.parse(a.sunsetAt) - Date.parse(b.sunsetAt));
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Rotations in progress</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Consumer</th>
            <th scope="col">Started</th>
            <th scope="col">Retire</th>
            <th scope="col">Old key stops in</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((rotation) => (
            <tr key={rotation.id}>
              <th scope="row">
                <a href={href.rotation(rotation.id)}>{keyLabel(keys.get(rotation.oldKeyId), rotation)}</a>
              </th>
              <td>
                <a href={href.consumer(rotation.consumerId)}>
                  {consumers.get(rotation.consumerId)?.name ?? rotation.consumerId}
                </a>
              </td>
              <td>
                <TimeAgo at={rotation.startedAt} />
              </td>
              <td>{rotation.retire === "idle" ? "when idle" : "at deadline"}</td>
              <td>
                <Countdown to={rotation.sunsetAt} passed="retiring now" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
