import { useState } from "react";
import type { Page, PlanView } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { PlanDialog } from "../features/plans/plan-dialog.tsx";
import { PlansTable } from "../features/plans/plans-table.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { useApi } from "../session/session-context.ts";

export function PlansPage() {
  const api = useApi();
  const [editing, setEditing] = useState<{ plan: PlanView | undefined } | null>(null);
  const plans = usePolling("plans", (signal) => api.get<Page<PlanView>>("/v1/plans", {}, signal));
  return (
    <>
      <PageHeader
        title="Plans"
        subtitle={<LiveNote polled={plans} />}
        actions={
          <button
            type="button"
            className="button primary"
            data-needs="admin"
            onClick={() => setEditing({ plan: undefined })}
          >
            New plan
          </button>
        }
      />
      <Card title="Rate limits and quotas">
        <Loadable polled={plans} label="plans">
          {(page) => <PlansTable plans={page.data} onEdit={(plan) => setEditing({ plan })} />}
        </Loadable>
      </Card>
      {editing === null ? null : (
        <PlanDialog
          plan={editing.plan}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            plans.refresh();
          }}
        />
      )}
    </>
  );
}
