import type { ConsumerView } from "../../api/types.ts";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatSeconds } from "../../lib/format.ts";

export interface ConsumerSummaryProps {
  readonly consumer: ConsumerView;
}

export function ConsumerSummary({ consumer }: ConsumerSummaryProps) {
  const policy = consumer.rotationPolicy;
  const metadata = Object.entries(consumer.metadata);
  return (
    <dl className="facts">
      <div>
        <dt>Id</dt>
        <dd>
          <code>{consumer.id}</code>
        </dd>
      </div>
      <div>
        <dt>Email</dt>
        <dd data-testid="consumer-email">
          {consumer.email === null ? <span className="muted">none</span> : consumer.email}
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={consumer.disabled ? "disabled" : "enabled"} />
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <TimeAgo at={consumer.createdAt} />
        </dd>
      </div>
      <div>
        <dt>Rotation policy</dt>
        <dd>
          {policy === null ? (
            <span className="muted">none (overlap 24 h by default)</span>
          ) : (
            [
              policy.maxAgeDays === null ? null : `rotate every ${policy.maxAgeDays} d`,
              policy.overlapSeconds === null ? null : `overlap ${formatSeconds(policy.overlapSeconds)}`,
              policy.notifyBeforeDays === null ? null : `notify ${policy.notifyBeforeDays} d before`,
            ]
              .filter((part) => part !== null)
              .join(", ") || <span className="muted">defaults</span>
          )}
        </dd>
      </div>
      <div>
        <dt>Metadata</dt>
        <dd>
          {metadata.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            metadata.map(([name, value]) => (
              <span key={name} className="chip">
                {name}: {JSON.stringify(value)}
              </span>
            ))
          )}
        </dd>
      </div>
    </dl>
  );
}
