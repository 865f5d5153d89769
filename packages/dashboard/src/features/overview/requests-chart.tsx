import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { StatsView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { formatClock, formatNumber, plural } from "../../lib/format.ts";
import { CHART_COLORS } from "../charts/chart-colors.ts";

export interface RequestsChartProps {
  readonly series: StatsView["requestsPerMinute"];
}

/** Requests per minute over the last hour, valid and refused stacked. */
export function RequestsChart({ series }: RequestsChartProps) {
  const total = series.reduce((sum, point) => sum + point.total, 0);
  if (series.length === 0 || total === 0)
    return (
      <EmptyState title="No requests in the last hour">
        Requests through the gateway and <code>POST /v1/verify</code> show up here within seconds.
      </EmptyState>
    );
  const data = series.map((point) => ({ ...point, label: formatClock(point.at) }));
  const last = series.at(-1);
  const failed = series.reduce((sum, point) => sum + point.failed, 0);
  return (
    <figure className="chart">
      <AreaChart
        responsive
        style={{ width: "100%", height: 240 }}
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
          dataKey="valid"
          name="Valid"
          stackId="requests"
          stroke={CHART_COLORS.valid}
          fill={CHART_COLORS.valid}
          fillOpacity={0.25}
          isAnimationActive={false}
        />
        <Area
          type="monotone"
          dataKey="failed"
          name="Refused"
          stackId="requests"
          stroke={CHART_COLORS.failed}
          fill={CHART_COLORS.failed}
          fillOpacity={0.35}
          isAnimationActive={false}
        />
      </AreaChart>
      <figcaption className="chart-caption">
        {plural(total, "request")} in the last hour, {formatNumber(failed)} refused
        {last === undefined ? null : <>; {formatNumber(last.total)} in the latest minute</>}.
      </figcaption>
    </figure>
  );
}
