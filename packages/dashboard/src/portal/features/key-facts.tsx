import { Countdown } from "../../components/countdown.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatDateTime, formatNumber } from "../../lib/format.ts";
import type { PortalKey } from "../api/portal-types.ts";
import { ScopeChips } from "./scope-chips.tsx";

export interface KeyFactsProps {
  readonly keyView: PortalKey;
}

function createdBy(createdBy: string): string {
  return createdBy === "consumer" ? "by you" : "by your provider";
}

/** Everything the API tells about one key (never its secret). */
export function KeyFacts({ keyView: key }: KeyFactsProps) {
  return (
    <dl className="facts">
      <div>
        <dt>Key</dt>
        <dd>
          <code>{key.hint}</code>
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={key.status} />
        </dd>
      </div>
      <div>
        <dt>Environment</dt>
        <dd>{key.env}</dd>
      </div>
      <div>
        <dt>Scopes</dt>
        <dd>
          <ScopeChips scopes={key.scopes} />
        </dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>{key.version}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <TimeAgo at={key.createdAt} /> {createdBy(key.createdBy)}
        </dd>
      </div>
      <div>
        <dt>Last used</dt>
        <dd>
          <TimeAgo at={key.lastUsedAt} />
        </dd>
      </div>
      <div>
        <dt>Requests, last 24 h</dt>
        <dd>{formatNumber(key.requests24h)}</dd>
      </div>
      <div>
        <dt>Expires</dt>
        <dd>
          {key.expiresAt === null ? <span className="muted">never</span> : formatDateTime(key.expiresAt)}
        </dd>
      </div>
      {key.status === "deprecated" && key.sunsetAt !== null ? (
        <div>
          <dt>Stops working in</dt>
          <dd>
            <Countdown to={key.sunsetAt} passed="now" />
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Allowed IPs</dt>
        <dd>
          {key.allowedIps === null || key.allowedIps.length === 0 ? (
            <span className="muted">any address</span>
          ) : (
            key.allowedIps.map((range) => (
              <code key={range} className="chip">
                {range}
              </code>
            ))
          )}
        </dd>
      </div>
      {key.revokedAt === null ? null : (
        <div>
          <dt>Revoked</dt>
          <dd>
            <TimeAgo at={key.revokedAt} />
            {key.revokedReason === null ? null : <> ({key.revokedReason})</>}
          </dd>
        </div>
      )}
    </dl>
  );
}
