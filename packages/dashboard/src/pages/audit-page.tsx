import { useState } from "react";
import type { AuditEntryView, AuditVerdict, Page } from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { AuditTable } from "../features/audit/audit-table.tsx";
import { AuditVerifyBanner } from "../features/audit/audit-verify-banner.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { useTail } from "../hooks/use-tail.ts";
import { useApi } from "../session/session-context.ts";

/** Entries kept in the page; older ones are still in the store and in `keygate audit verify`. */
const KEPT = 5_000;
const SHOWN_STEP = 50;
/** Verification walks the whole chain: less often than the list. */
const VERIFY_MS = 15_000;

export function AuditPage() {
  const api = useApi();
  const [filter, setFilter] = useState("");
  const [shown, setShown] = useState(SHOWN_STEP);
  const entries = useTail<AuditEntryView>(
    "audit",
    (after, signal) => api.get<Page<AuditEntryView>>("/v1/audit", { after, limit: 500 }, signal),
    { cursorOf: (entry) => String(entry.seq), maxItems: KEPT },
  );
  const verdict = usePolling(
    "audit:verify",
    (signal) => api.get<AuditVerdict>("/v1/audit/verify", {}, signal),
    VERIFY_MS,
  );
  const needle = filter.trim().toLowerCase();

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle={<LiveNote polled={entries} />}
        actions={
          <button type="button" className="button secondary" onClick={verdict.refresh}>
            Verify chain now
          </button>
        }
      />
      <Loadable polled={verdict} label="the chain verification">
        {(data) => <AuditVerifyBanner verdict={data} />}
      </Loadable>
      <Card title="Entries">
        <div className="toolbar">
          <label className="field-label inline" htmlFor="audit-filter">
            Filter
          </label>
          <input
            id="audit-filter"
            className="input"
            type="search"
            placeholder="Action, target, actor"
            value={filter}
            onChange={(event) => {
              setFilter(event.target.value);
              setShown(SHOWN_STEP);
            }}
          />
        </div>
        <Loadable polled={entries} label="audit entries">
          {(list) => {
            const matching = [...list]
              .reverse()
              .filter(
                (entry) =>
                  needle === "" ||
                  `${entry.action} ${entry.targetType} ${entry.targetId} ${entry.actor.type} ${entry.actor.id}`
                    .toLowerCase()
                    .includes(needle),
              );
            return (
              <>
                <AuditTable entries={matching.slice(0, shown)} filtered={needle !== ""} />
                {matching.length > shown ? (
                  <button
                    type="button"
                    className="button secondary"
                    onClick={() => setShown(shown + SHOWN_STEP)}
                  >
                    Show {Math.min(SHOWN_STEP, matching.length - shown)} more
                  </button>
                ) : null}
              </>
            );
          }}
        </Loadable>
      </Card>
    </>
  );
}
