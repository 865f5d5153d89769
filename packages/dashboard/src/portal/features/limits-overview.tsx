import { Countdown } from "../../components/countdown.tsx";
import { UsageMeter } from "../../features/consumers/usage-meter.tsx";
import { formatNumber } from "../../lib/format.ts";
import type { Me, QuotaState, RateLimitState } from "../api/portal-types.ts";
import { describeRateLimit } from "../lib/plan-text.ts";

export interface LimitsOverviewProps {
  readonly me: Me;
  /** Fresher than `me.usage` when the usage page just read them. */
  readonly rateLimit: RateLimitState | null;
  readonly quota: QuotaState | null;
}

/** The rate limit's current window and the quota's period, with when each starts over. */
export function LimitsOverview({ me, rateLimit, quota }: LimitsOverviewProps) {
  if (me.plan === null || (rateLimit === null && quota === null))
    return <p className="muted">Your account has no rate limit and no quota.</p>;
  return (
    <div className="limits">
      {rateLimit === null ? null : (
        <section className="limit" aria-labelledby="limit-rate">
          <h3 id="limit-rate">Rate limit</h3>
          <p className="limit-policy">
            {me.plan.rateLimit === null
              ? `${formatNumber(rateLimit.limit)} requests`
              : describeRateLimit(me.plan.rateLimit)}
          </p>
          <dl className="limit-numbers">
            <div>
              <dt>Limit</dt>
              <dd>{formatNumber(rateLimit.limit)}</dd>
            </div>
            <div>
              <dt>Remaining now</dt>
              <dd data-testid="rate-limit-remaining">{formatNumber(rateLimit.remaining)}</dd>
            </div>
            <div>
              <dt>Resets in</dt>
              <dd>
                <Countdown to={rateLimit.resetAt} passed="a moment" />
              </dd>
            </div>
          </dl>
        </section>
      )}
      {quota === null ? null : (
        <section className="limit" aria-labelledby="limit-quota">
          <h3 id="limit-quota">Quota</h3>
          <p className="limit-policy">
            {formatNumber(quota.limit)} requests per {quota.period}
          </p>
          <UsageMeter
            label={`Used this ${quota.period}`}
            used={quota.used}
            limit={quota.limit}
            reset={<Countdown to={quota.resetAt} passed="now" />}
          />
          <p className="plan-remaining">
            <strong data-testid="quota-remaining">{formatNumber(quota.remaining)}</strong> remaining
          </p>
        </section>
      )}
    </div>
  );
}
