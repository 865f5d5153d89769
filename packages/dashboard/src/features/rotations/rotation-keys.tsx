import type { KeyView, RotationView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatSeconds } from "../../lib/format.ts";

export interface RotationKeysProps {
  readonly rotation: RotationView;
  readonly oldKey: KeyView;
  readonly newKey: KeyView;
}

const REASONS = { deadline: "at the deadline", idle: "when the old key went idle", manual: "by an operator" };

/** The rotation's state, its deadline, and both keys side by side. */
export function RotationKeys({ rotation, oldKey, newKey }: RotationKeysProps) {
  return (
    <>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            <StatusBadge status={rotation.state} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <TimeAgo at={rotation.startedAt} />
          </dd>
        </div>
        <div>
          <dt>{rotation.state === "overlapping" ? "Old key stops in" : "Sunset was"}</dt>
          <dd>
            {rotation.state === "overlapping" ? (
              <Countdown to={rotation.sunsetAt} passed="retiring now" />
            ) : (
              <TimeAgo at={rotation.sunsetAt} />
            )}
          </dd>
        </div>
        <div>
          <dt>Retire policy</dt>
          <dd>
            {rotation.retire === "idle"
              ? `when idle for ${formatSeconds(rotation.idleSeconds)}, at the sunset at the latest`
              : "at the deadline"}
          </dd>
        </div>
        {rotation.completedAt === null ? null : (
          <div>
            <dt>{rotation.state === "rolled_back" ? "Rolled back" : "Completed"}</dt>
            <dd>
              <TimeAgo at={rotation.completedAt} />
              {rotation.completedReason === null ? null : ` ${REASONS[rotation.completedReason]}`}
            </dd>
          </div>
        )}
      </dl>
      <div className="key-pair">
        {[
          { title: "Old key", key: oldKey, tone: "old" },
          { title: "New key", key: newKey, tone: "new" },
        ].map(({ title, key, tone }) => (
          <div key={tone} className={`key-card key-card-${tone}`} data-testid={`${tone}-key`}>
            <h3>{title}</h3>
            <p>
              <code>{key.hint}</code> v{key.version} <StatusBadge status={key.status} />
            </p>
            <p className="muted">
              Last used <TimeAgo at={key.lastUsedAt} />
            </p>
          </div>
        ))}
      </div>
    </>
  );
}
