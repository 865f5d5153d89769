import { isMissingEndpoint } from "../../api/api-error.ts";
import type { ConsumerUsageView, PlanView } from "../../api/types.ts";
import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { ProblemMessage } from "../../components/problem-message.tsx";
import type { Polled } from "../../hooks/use-polling.ts";
import { formatWindow, plural } from "../../lib/format.ts";
import { href } from "../../lib/routes.ts";
import { UsageMeter } from "./usage-meter.tsx";

export interface PlanUsageProps {
  readonly planName: string | null;
  readonly plan: PlanView | undefined;
  readonly usage: Polled<ConsumerUsageView>;
}

/** The consumer's plan and where it stands against it (limits belong to the consumer, not to a key). */
export function PlanUsage({ planName, plan, usage }: PlanUsageProps) {
  if (planName === null)
    return <EmptyState title="No plan">This consumer has no rate limit and no quota.</EmptyState>;
  const { data, error } = usage;
  return (
    <div className="plan-usage">
      <p>
        Plan <a href={href.plans()}>{planName}</a>
        {plan === undefined ? null : (
          <>
            {": "}
            {plan.rateLimit === null
              ? "no rate limit"
              : `${plural(plan.rateLimit.limit, "request")} per ${formatWindow(plan.rateLimit.windowSeconds)}`}
            {", "}
            {plan.quota === null
              ? "no quota"
              : `${plural(plan.quota.limit, "request")} per ${plan.quota.period}`}
          </>
        )}
      </p>
      {data === undefined ? (
        error === undefined ? (
          <p className="muted">Loading usage…</p>
        ) : isMissingEndpoint(error) ? (
          <EmptyState title="No usage data yet">
            This keygate server does not report consumer usage yet.
          </EmptyState>
        ) : (
          <ProblemMessage error={error} context="Could not load usage" />
        )
      ) : (
        <div className="meters">
          {data.rateLimit === null ? null : (
            <UsageMeter
              label="Rate limit, current window"
              used={data.rateLimit.limit - data.rateLimit.remaining}
              limit={data.rateLimit.limit}
              reset={<Countdown to={data.rateLimit.resetAt} passed="now" />}
            />
          )}
          {data.quota === null ? null : (
            <UsageMeter
              label={`Quota this ${data.quota.period}`}
              used={data.quota.used}
              limit={data.quota.limit}
              reset={<Countdown to={data.quota.resetAt} passed="now" />}
            />
          )}
          {data.rateLimit === null && data.quota === null ? (
            <p className="muted">The plan sets no limit.</p>
          ) : null}
        </div>
      )}
    </div>
  );
}
