import { Countdown } from "../../components/countdown.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatDateTime } from "../../lib/format.ts";
import type { PortalKey, PortalRotation } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { portalHref } from "../lib/portal-routes.ts";

export interface RotationSummaryProps {
  readonly rotation: PortalRotation;
  readonly oldKey: PortalKey;
  readonly newKey: PortalKey;
}

const REASONS: Readonly<Record<string, string>> = {
  deadline: "at the end of the overlap",
  idle: "once the old key was no longer used",
  manual: "by hand",
};

/** Where the rotation stands, in one sentence, then both keys side by side. */
export function RotationSummary({ rotation, oldKey, newKey }: RotationSummaryProps) {
  return (
    <>
      <p className="rotation-state" data-testid="rotation-state">
        <StatusBadge status={rotation.state} />{" "}
        {rotation.state === "overlapping" ? (
          <>
            The old key still works until{" "}
            <time dateTime={rotation.sunsetAt}>{formatDateTime(rotation.sunsetAt)}</time> (
            <Countdown to={rotation.sunsetAt} passed="ending now" />
            {" left"}).
          </>
        ) : rotation.state === "completed" ? (
          <>
            Completed <TimeAgo at={rotation.completedAt} />
            {rotation.completedReason === null ? "" : ` ${REASONS[rotation.completedReason] ?? ""}`}: only the
            new key works.
          </>
        ) : (
          <>
            Rolled back <TimeAgo at={rotation.completedAt} />: the old key works again and the new key was
            revoked.
          </>
        )}
      </p>
      <div className="key-pair">
        {[
          { title: "Old key", key: oldKey, tone: "old" },
          { title: "New key", key: newKey, tone: "new" },
        ].map(({ title, key, tone }) => (
          <div key={tone} className={`key-card key-card-${tone}`} data-testid={`${tone}-key`}>
            <h3>{title}</h3>
            <p>
              <PortalLink to={portalHref.key(key.id)}>{key.name}</PortalLink> v{key.version}{" "}
              <StatusBadge status={key.status} />
            </p>
            <p>
              <code>{key.hint}</code>
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
