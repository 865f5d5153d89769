import { Countdown } from "../../components/countdown.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { formatNumber } from "../../lib/format.ts";
import type { PortalKey } from "../api/portal-types.ts";
import { PortalLink } from "../components/portal-link.tsx";
import { portalHref } from "../lib/portal-routes.ts";
import { ScopeChips } from "./scope-chips.tsx";

export interface PortalKeysTableProps {
  /** Newest first, as the API lists them. */
  readonly keys: readonly PortalKey[];
  /** Retired (expired or revoked) keys are left out and counted here. */
  readonly hiddenRetired: number;
}

/** The consumer's keys; a key's name leads to its page, where its actions are. */
export function PortalKeysTable({ keys, hiddenRetired }: PortalKeysTableProps) {
  if (keys.length === 0)
    return (
      <EmptyState title={hiddenRetired > 0 ? "No working keys" : "No keys yet"}>
        Create a key to call the API. Its secret is shown once, right after you create it.
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table className="table keys-table portal-keys-table">
        <caption className="visually-hidden">Your API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Env</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Stops working in</th>
            <th scope="col" className="numeric">
              Requests, 24 h
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <th scope="row">
                <PortalLink to={portalHref.key(key.id)}>{key.name}</PortalLink>{" "}
                <span className="version">v{key.version}</span>
              </th>
              <td data-label="Key">
                <code className="hint">{key.hint}</code>
              </td>
              <td data-label="Scopes" className="wrap">
                {/* One box per cell: on narrow screens the cell is a row of label and value. */}
                <span>
                  <ScopeChips scopes={key.scopes} />
                </span>
              </td>
              <td data-label="Env">
                <span className={`chip chip-env-${key.env}`}>{key.env}</span>
              </td>
              <td data-label="Status">
                <div>
                  <StatusBadge status={key.status} />
                  {key.openRotation === null ? null : (
                    <div>
                      <PortalLink to={portalHref.rotation(key.openRotation.id)} className="small">
                        {key.openRotation.role === "old" ? "Being replaced" : "Replacing the old key"}
                      </PortalLink>
                    </div>
                  )}
                </div>
              </td>
              <td data-label="Created">
                <TimeAgo at={key.createdAt} />
              </td>
              <td data-label="Last used">
                <TimeAgo at={key.lastUsedAt} />
              </td>
              <td data-label="Stops working in">
                {key.status === "deprecated" && key.sunsetAt !== null ? (
                  <Countdown to={key.sunsetAt} passed="now" />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td data-label="Requests, 24 h" className="numeric">
                {formatNumber(key.requests24h)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
