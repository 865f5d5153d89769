import { useEffect, useState } from "react";
import { Card } from "../../components/card.tsx";
import { LiveNote } from "../../components/live-note.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { usePolling } from "../../hooks/use-polling.ts";
import type { ConsumerUsage } from "../api/portal-types.ts";
import { RangeSwitch } from "../components/range-switch.tsx";
import { LazyOutcomesChart } from "../features/lazy-outcomes-chart.tsx";
import { LimitsOverview } from "../features/limits-overview.tsx";
import { OutcomeTotalsTable } from "../features/outcome-totals-table.tsx";
import { USAGE_RANGES, type UsageRange } from "../lib/usage-ranges.ts";
import { usePortalSession } from "../session/portal-session.ts";

const POLL_MS = 10_000;

/** Every key of the account together: limits right now, and requests by outcome. */
export function UsagePage() {
  const { api, me } = usePortalSession();
  const [range, setRange] = useState<UsageRange>("day");
  // Both periods are read each time: the chart shows one, the totals table both.
  const usage = usePolling(
    "usage",
    async (signal) => {
      const now = Date.now();
      const [hour, day] = await Promise.all([
        api.get<ConsumerUsage>("/usage", USAGE_RANGES.hour.query(now), signal),
        api.get<ConsumerUsage>("/usage", USAGE_RANGES.day.query(now), signal),
      ]);
      return { hour, day };
    },
    POLL_MS,
  );

  // The rate limit's window is short: read again as soon as it starts over, not up to a poll later.
  const resetAt = usage.data?.hour.rateLimit?.resetAt;
  const refresh = usage.refresh;
  useEffect(() => {
    if (resetAt === undefined) return;
    const wait = Date.parse(resetAt) - Date.now() + 500;
    if (wait < 0 || wait > POLL_MS) return;
    const timer = window.setTimeout(refresh, wait);
    return () => window.clearTimeout(timer);
  }, [resetAt, refresh]);

  return (
    <>
      <PageHeader title="Usage" subtitle={<LiveNote polled={usage} />} />
      <Loadable polled={usage} label="your usage">
        {({ hour, day }) => {
          const shown = range === "hour" ? hour : day;
          return (
            <>
              <Card title="Limits">
                <LimitsOverview me={me} rateLimit={hour.rateLimit} quota={hour.quota} />
              </Card>
              <Card title="Requests by outcome" actions={<RangeSwitch value={range} onChange={setRange} />}>
                <LazyOutcomesChart
                  series={shown.series}
                  granularity={shown.granularity}
                  period={USAGE_RANGES[range].period}
                />
              </Card>
              <Card title="Totals">
                <OutcomeTotalsTable lastHour={hour.series} lastDay={day.series} />
              </Card>
            </>
          );
        }}
      </Loadable>
    </>
  );
}
