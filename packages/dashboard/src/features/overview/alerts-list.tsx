import type { AlertView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { href } from "../../lib/routes.ts";

const TITLES: Readonly<Record<string, string>> = {
  "key.deprecated_in_use": "Deprecated key still in use",
  "key.sunset_approaching": "Sunset approaching",
  "auth.failure_spike": "Authentication failure spike",
  "key.leaked": "Key reported leaked",
  "key.rotation_due": "Rotation due",
};

const SEVERE = new Set(["key.leaked", "auth.failure_spike"]);

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export interface AlertsListProps {
  readonly alerts: readonly AlertView[];
}

/** The newest alert-type events first, linked to the consumer they concern. */
export function AlertsList({ alerts }: AlertsListProps) {
  if (alerts.length === 0)
    return (
      <EmptyState title="No alerts">Leaks, failure spikes and keys due for rotation show up here.</EmptyState>
    );
  const newest = [...alerts].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return (
    <ul className="alerts">
      {newest.map((alert) => {
        const consumerId = text(alert.data.consumerId);
        const keyId = text(alert.data.keyId);
        return (
          <li key={alert.id} className={`alert ${SEVERE.has(alert.type) ? "alert-severe" : ""}`}>
            <div className="alert-title">
              <strong>{TITLES[alert.type] ?? alert.type}</strong> <TimeAgo at={alert.at} />
            </div>
            <div className="alert-meta">
              <code>{alert.type}</code>
              {keyId === undefined ? null : (
                <>
                  {" · key "}
                  <code>{keyId}</code>
                </>
              )}
              {consumerId === undefined ? null : (
                <>
                  {" · "}
                  <a href={href.consumer(consumerId)}>consumer</a>
                </>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
