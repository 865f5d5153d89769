import { formatNumber } from "../../lib/format.ts";
import type { UsagePoint } from "../api/portal-types.ts";
import { outcomeLabel, outcomeTotals } from "../lib/outcomes.ts";

export interface OutcomeTotalsTableProps {
  readonly lastHour: readonly UsagePoint[];
  readonly lastDay: readonly UsagePoint[];
}

/** Requests per outcome over the last 60 minutes and the last 24 hours, side by side. */
export function OutcomeTotalsTable({ lastHour, lastDay }: OutcomeTotalsTableProps) {
  const hour = new Map(outcomeTotals(lastHour).map(({ code, count }) => [code, count]));
  const day = outcomeTotals(lastDay);
  // The hour's outcomes are part of the day's, but the day's reading may be a moment older.
  const codes = [...new Set([...day.map(({ code }) => code), ...hour.keys()])];
  const sum = (counts: Iterable<number>) => [...counts].reduce((total, count) => total + count, 0);
  return (
    <div className="table-wrap totals-wrap">
      <table className="table totals-table">
        <caption className="visually-hidden">Requests by outcome</caption>
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" className="numeric">
              Last 60 minutes
            </th>
            <th scope="col" className="numeric">
              Last 24 hours
            </th>
          </tr>
        </thead>
        <tbody>
          {codes.map((code) => (
            <tr key={code}>
              <th scope="row">
                {outcomeLabel(code)} <code className="hint">{code}</code>
              </th>
              <td className="numeric">{formatNumber(hour.get(code) ?? 0)}</td>
              <td className="numeric">
                {formatNumber(day.find((total) => total.code === code)?.count ?? 0)}
              </td>
            </tr>
          ))}
          <tr className="totals-sum">
            <th scope="row">All requests</th>
            <td className="numeric">{formatNumber(sum(hour.values()))}</td>
            <td className="numeric">{formatNumber(sum(day.map(({ count }) => count)))}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
