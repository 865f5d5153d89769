import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState } from "../../components/empty-state.tsx";
import { CHART_COLORS } from "../../features/charts/chart-colors.ts";
import { formatClock, formatNumber } from "../../lib/format.ts";
import type { Granularity, UsagePoint } from "../api/portal-types.ts";
import { outcomeColor, outcomeLabel, outcomeTotals } from "../lib/outcomes.ts";
import { countOf } from "../lib/plan-text.ts";

export interface OutcomesChartProps {
  readonly series: readonly UsagePoint[];
  readonly granularity: Granularity;
  /** "in the last 24 hours", for the caption and the empty state. */
  readonly period: string;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

function bucketLabel(at: string, granularity: Granularity): string {
  return granularity === "day" ? dayLabel.format(new Date(at)) : formatClock(at);
}

/** Requests per bucket, stacked by outcome (allowed, rate limited, …). */
export function OutcomesChart({ series, granularity, period }: OutcomesChartProps) {
  const totals = outcomeTotals(series);
  const total = totals.reduce((sum, { count }) => sum + count, 0);
  if (total === 0)
    return (
      <EmptyState title={`No requests ${period}`}>
        Calls with your keys show up here within seconds.
      </EmptyState>
    );
  const data = series.map((point) => ({ label: bucketLabel(point.at, granularity), ...point.outcomes }));
  const refused = total - (totals.find(({ code }) => code === "VALID")?.count ?? 0);
  return (
    <figure className="chart">
      <BarChart
        responsive
        style={{ width: "100%", height: 240 }}
        data={data}
        margin={{ left: -12, right: 8 }}
      >
        <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
        <XAxis dataKey="label" minTickGap={24} tick={{ fill: CHART_COLORS.axis, fontSize: 12 }} />
        <YAxis allowDecimals={false} tick={{ fill: CHART_COLORS.axis, fontSize: 12 }} />
        <Tooltip />
        <Legend itemSorter={null} />
        {totals.map(({ code }, index) => (
          <Bar
            key={code}
            dataKey={code}
            name={outcomeLabel(code)}
            stackId="outcomes"
            fill={outcomeColor(code, index)}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
      <figcaption className="chart-caption">
        {countOf(total, "request")} {period}, {formatNumber(refused)} refused; per {granularity}, by outcome.
      </figcaption>
    </figure>
  );
}
