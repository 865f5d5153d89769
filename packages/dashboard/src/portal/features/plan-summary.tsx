import { Countdown } from "../../components/countdown.tsx";
import { UsageMeter } from "../../features/consumers/usage-meter.tsx";
import { formatNumber } from "../../lib/format.ts";
import type { Me } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { describeQuota, describeRateLimit } from "../lib/plan-text.ts";
import { portalHref } from "../lib/portal-routes.ts";

export interface PlanSummaryProps {
  readonly me: Me;
}

/** The plan's limits in words, and this period's quota: limits belong to the account, not to a key. */
export function PlanSummary({ me }: PlanSummaryProps) {
  const { plan, usage } = me;
  if (plan === null) return <p className="muted">No plan: your keys have no rate limit and no quota.</p>;
  const quota = usage.quota;
  return (
    <div className="plan-summary">
      <dl className="facts">
        <div>
          <dt>Plan</dt>
          <dd data-testid="plan-name">{plan.name}</dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd data-testid="plan-rate-limit">
            {plan.rateLimit === null ? "none" : describeRateLimit(plan.rateLimit)}
          </dd>
        </div>
        <div>
          <dt>Quota</dt>
          <dd data-testid="plan-quota">{plan.quota === null ? "none" : describeQuota(plan.quota)}</dd>
        </div>
      </dl>
      {quota === null ? null : (
        <div className="plan-quota">
          <UsageMeter
            label={`Used this ${quota.period}`}
            used={quota.used}
            limit={quota.limit}
            reset={<Countdown to={quota.resetAt} passed="now" />}
          />
          <p className="plan-remaining">
            <strong>{formatNumber(quota.remaining)}</strong> remaining
          </p>
        </div>
      )}
      <p className="plan-more">
        <PortalLink to={portalHref.usage()}>Requests by outcome and limits in detail</PortalLink>
      </p>
    </div>
  );
}
