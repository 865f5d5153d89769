import { useState } from "react";
import type { ConsumerView, Page, PlanView } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { ConsumersTable } from "../features/consumers/consumers-table.tsx";
import { CreateConsumerDialog } from "../features/consumers/create-consumer-dialog.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { href } from "../lib/routes.ts";
import { useApi } from "../session/session-context.ts";

/** Consumers are listed in pages of this size; "Show more" raises the limit up to the API's maximum. */
const PAGE = 100;
const MAX_LIMIT = 1000;

export function ConsumersPage() {
  const api = useApi();
  const [limit, setLimit] = useState(PAGE);
  const [filter, setFilter] = useState("");
  const [creating, setCreating] = useState(false);
  const consumers = usePolling(`consumers:${limit}`, (signal) =>
    api.get<Page<ConsumerView>>("/v1/consumers", { limit }, signal),
  );
  const plans = usePolling("plans", (signal) => api.get<Page<PlanView>>("/v1/plans", {}, signal), 30_000);
  const needle = filter.trim().toLowerCase();

  return (
    <>
      <PageHeader
        title="Consumers"
        subtitle={<LiveNote polled={consumers} />}
        actions={
          <button
            type="button"
            className="button primary"
            data-needs="operator"
            onClick={() => setCreating(true)}
          >
            New consumer
          </button>
        }
      />
      <Card title="All consumers">
        <div className="toolbar">
          <label className="field-label inline" htmlFor="consumer-filter">
            Filter
          </label>
          <input
            id="consumer-filter"
            className="input"
            type="search"
            placeholder="Name, id or plan"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
        <Loadable polled={consumers} label="consumers">
          {(page) => {
            const shown = page.data.filter(
              (c) =>
                needle === "" ||
                c.name.toLowerCase().includes(needle) ||
                c.id.toLowerCase().includes(needle) ||
                (c.plan ?? "").includes(needle),
            );
            return (
              <>
                <ConsumersTable consumers={shown} filtered={needle !== ""} />
                {page.next === null ? null : limit < MAX_LIMIT ? (
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => setLimit(Math.min(limit + PAGE, MAX_LIMIT))}
                  >
                    Show more
                  </button>
                ) : (
                  <p className="muted">Showing the first {MAX_LIMIT}; use the CLI or the API for the rest.</p>
                )}
              </>
            );
          }}
        </Loadable>
      </Card>
      {creating ? (
        <CreateConsumerDialog
          plans={plans.data?.data ?? []}
          onClose={() => setCreating(false)}
          onCreated={(consumer) => {
            setCreating(false);
            window.location.hash = href.consumer(consumer.id);
          }}
        />
      ) : null}
    </>
  );
}
