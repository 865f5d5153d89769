import { useState } from "react";
import { Card } from "../../components/card.tsx";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { usePolling } from "../../hooks/use-polling.ts";
import type { PortalKey, UsageSeries } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { RangeSwitch } from "../components/range-switch.tsx";
import { type KeyDialog, KeyDialogs } from "../features/key-dialogs.tsx";
import { KeyFacts } from "../features/key-facts.tsx";
import { LazyOutcomesChart } from "../features/lazy-outcomes-chart.tsx";
import { portalHref } from "../lib/portal-routes.ts";
import { USAGE_RANGES, type UsageRange } from "../lib/usage-ranges.ts";
import { usePortalSession } from "../session/portal-session.ts";

const POLL_MS = 10_000;

export interface KeyDetailPageProps {
  readonly id: string;
}

export function KeyDetailPage({ id }: KeyDetailPageProps) {
  const { api, refreshMe } = usePortalSession();
  const path = `/keys/${encodeURIComponent(id)}`;
  const [range, setRange] = useState<UsageRange>("hour");
  const [dialog, setDialog] = useState<KeyDialog | null>(null);
  const key = usePolling(`key:${id}`, (signal) => api.get<PortalKey>(path, {}, signal), POLL_MS);
  const usage = usePolling(
    `key-usage:${id}:${range}`,
    (signal) => api.get<UsageSeries>(`${path}/usage`, USAGE_RANGES[range].query(Date.now()), signal),
    POLL_MS,
  );
  const changed = () => {
    key.refresh();
    usage.refresh();
    refreshMe();
  };
  const current = key.data;
  const working = current?.status === "active" || current?.status === "deprecated";
  const back = <PortalLink to={portalHref.keys()}>← Key list</PortalLink>;

  if (current === undefined && key.error?.status === 404)
    return (
      <>
        <PageHeader title="Key not found" back={back} />
        <EmptyState title="There is no such key among yours">
          <PortalLink to={portalHref.keys()}>Back to the key list</PortalLink>
        </EmptyState>
      </>
    );
  return (
    <>
      <PageHeader
        title={current?.name ?? "Key"}
        back={back}
        subtitle={
          current === undefined ? undefined : (
            <>
              <code>{current.hint}</code> · <StatusBadge status={current.status} />
            </>
          )
        }
        actions={
          current === undefined || !working ? undefined : (
            <>
              <button
                type="button"
                className="button secondary"
                onClick={() => setDialog({ type: "rename" })}
              >
                Rename
              </button>
              <button
                type="button"
                className="button secondary"
                onClick={() => setDialog({ type: "allowed-ips" })}
              >
                Edit allowed IPs
              </button>
              {current.status === "active" ? (
                <button
                  type="button"
                  className="button primary"
                  onClick={() => setDialog({ type: "rotate" })}
                >
                  Rotate
                </button>
              ) : null}
              <button
                type="button"
                className="button danger-outline"
                onClick={() => setDialog({ type: "revoke" })}
              >
                Revoke
              </button>
            </>
          )
        }
      />
      <Loadable polled={key} label="the key">
        {(data) => (
          <>
            {data.openRotation === null ? null : (
              <p className="notice rotation-notice">
                {data.openRotation.role === "old" ? (
                  <>
                    This key is being replaced: it stops working in{" "}
                    <Countdown to={data.openRotation.sunsetAt} passed="a moment" />.{" "}
                  </>
                ) : (
                  <>This key replaces an older one, which still works for now. </>
                )}
                <PortalLink to={portalHref.rotation(data.openRotation.id)}>Follow the rotation</PortalLink>
              </p>
            )}
            <Card title="Details">
              <KeyFacts keyView={data} />
            </Card>
            <Card title="Requests by outcome" actions={<RangeSwitch value={range} onChange={setRange} />}>
              <Loadable polled={usage} label="usage">
                {({ series, granularity }) => (
                  <LazyOutcomesChart
                    series={series}
                    granularity={granularity}
                    period={USAGE_RANGES[range].period}
                  />
                )}
              </Loadable>
            </Card>
            <KeyDialogs keyView={data} dialog={dialog} open={setDialog} changed={changed} />
          </>
        )}
      </Loadable>
    </>
  );
}
