import type { PlanView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatWindow, plural } from "../../lib/format.ts";

export interface PlansTableProps {
  readonly plans: readonly PlanView[];
  readonly onEdit: (plan: PlanView) => void;
}

export function PlansTable({ plans, onEdit }: PlansTableProps) {
  if (plans.length === 0)
    return (
      <EmptyState title="No plans">
        A consumer without a plan has no limits. Create a plan to set some.
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Plans</caption>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col">Rate limit</th>
            <th scope="col">Quota</th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {plans.map((plan) => (
            <tr key={plan.name}>
              <th scope="row">{plan.name}</th>
              <td>
                {plan.rateLimit === null ? (
                  <span className="muted">none</span>
                ) : (
                  `${plural(plan.rateLimit.limit, "request")} per ${formatWindow(plan.rateLimit.windowSeconds)}`
                )}
              </td>
              <td>
                {plan.quota === null ? (
                  <span className="muted">none</span>
                ) : (
                  `${plural(plan.quota.limit, "request")} per ${plan.quota.period}`
                )}
              </td>
              <td>
                <TimeAgo at={plan.updatedAt} />
              </td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    data-needs="admin"
                    onClick={() => onEdit(plan)}
                    aria-label={`Edit plan ${plan.name}`}
                  >
                    Edit
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
