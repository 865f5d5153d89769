import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { RotationView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { formatClock, formatNumber, formatPercent } from "../../lib/format.ts";
import { CHART_COLORS } from "../charts/chart-colors.ts";

export interface TrafficChartProps {
  readonly traffic: RotationView["traffic"];
  /** The chart starts at the minute before the rotation (within the 30 minutes the API reports). */
  readonly startedAt: string;
}

/** Fewest minutes drawn, so a rotation started a moment ago still has a line to show. */
const MIN_POINTS = 5;

/** Requests per minute on the old and the new key: the migration made visible. */
export function TrafficChart({ traffic, startedAt }: TrafficChartProps) {
  if (traffic === undefined)
    return (
      <EmptyState title="No traffic data yet">
        This keygate server does not report per-key traffic for rotations yet.
      </EmptyState>
    );
  const minutes = new Map<string, { at: string; label: string; old: number; new: number }>();
  for (const [side, series] of [
    ["old", traffic.old.perMinute],
    ["new", traffic.new.perMinute],
  ] as const) {
    for (const point of series) {
      const row = minutes.get(point.at) ?? { at: point.at, label: formatClock(point.at), old: 0, new: 0 };
      row[side] += point.total;
      minutes.set(point.at, row);
    }
  }
  const all = [...minutes.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const from = Date.parse(startedAt) - 120_000;
  const since = all.filter((row) => Date.parse(row.at) >= from);
  const data = since.length >= MIN_POINTS ? since : all.slice(-MIN_POINTS);
  const oldCount = traffic.old.requestsLast15m;
  const newCount = traffic.new.requestsLast15m;
  return (
    <figure className="chart">
      <dl className="traffic-totals">
        <div className="traffic-old">
          <dt>Old key, last 15 min</dt>
          <dd data-testid="traffic-old-15m">{formatNumber(oldCount)}</dd>
        </div>
        <div className="traffic-new">
          <dt>New key, last 15 min</dt>
          <dd data-testid="traffic-new-15m">{formatNumber(newCount)}</dd>
        </div>
        <div>
          <dt>On the new key</dt>
          <dd data-testid="traffic-progress">
            {traffic.progress === null ? "—" : formatPercent(traffic.progress)}
          </dd>
        </div>
      </dl>
      {traffic.progress === null ? null : (
        <progress
          className="migration-progress"
          max={1}
          value={traffic.progress}
          aria-label="Share of requests on the new key"
        />
      )}
      {data.every((row) => row.old === 0 && row.new === 0) ? (
        <EmptyState title="No requests on either key since the rotation started" />
      ) : (
        <AreaChart
          responsive
          style={{ width: "100%", height: 260 }}
          data={data}
          margin={{ left: -12, right: 8 }}
        >
          <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
          <XAxis dataKey="label" minTickGap={32} tick={{ fill: CHART_COLORS.axis, fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fill: CHART_COLORS.axis, fontSize: 12 }} />
          <Tooltip />
          <Legend itemSorter={null} />
          <Area
            type="monotone"
            dataKey="old"
            name="Old key"
            stroke={CHART_COLORS.oldKey}
            fill={CHART_COLORS.oldKey}
            fillOpacity={0.15}
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Area
            type="monotone"
            dataKey="new"
            name="New key"
            stroke={CHART_COLORS.newKey}
            fill={CHART_COLORS.newKey}
            fillOpacity={0.15}
            strokeWidth={2}
            strokeDasharray="6 3"
            isAnimationActive={false}
          />
        </AreaChart>
      )}
      <figcaption className="chart-caption">
        Requests per minute since the rotation started (at most the last 30 minutes): old key (solid, orange)
        and new key (dashed, blue).
      </figcaption>
    </figure>
  );
}
