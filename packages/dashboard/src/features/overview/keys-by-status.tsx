import type { StatsView } from "../../api/types.ts";
import { formatNumber } from "../../lib/format.ts";

export interface KeysByStatusProps {
  readonly stats: StatsView;
}

/** The headline counts: keys in each status, consumers, rotations under way. */
export function KeysByStatus({ stats }: KeysByStatusProps) {
  const tiles = [
    { label: "Active keys", value: stats.keys.active, tone: "active" },
    { label: "Deprecated keys", value: stats.keys.deprecated, tone: "deprecated" },
    { label: "Expired keys", value: stats.keys.expired, tone: "expired" },
    { label: "Revoked keys", value: stats.keys.revoked, tone: "revoked" },
    { label: "Consumers", value: stats.consumers, tone: "neutral" },
    { label: "Rotations in progress", value: stats.rotationsInProgress, tone: "overlapping" },
  ];
  return (
    <dl className="tiles">
      {tiles.map((tile) => (
        <div key={tile.label} className={`tile tile-${tile.tone}`}>
          <dt>{tile.label}</dt>
          <dd>{formatNumber(tile.value)}</dd>
        </div>
      ))}
    </dl>
  );
}
