import type { AdminTokenView } from "../../api/operator-types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";

export interface AdminTokensTableProps {
  readonly tokens: readonly AdminTokenView[];
  readonly onRevoke: (token: AdminTokenView) => void;
}

/** Every admin token, revoked ones included; never a secret (the API has none to give). */
export function AdminTokensTable({ tokens, onRevoke }: AdminTokensTableProps) {
  if (tokens.length === 0)
    return <EmptyState title="No admin tokens">Create one for each person or service.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Admin tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Created by</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id} data-testid={`admin-token-${token.name}`}>
              <th scope="row">
                {token.name} <code className="muted">{token.id}</code>
              </th>
              <td>{token.role}</td>
              <td>{token.status}</td>
              <td>
                {token.lastUsedAt === null ? (
                  <span className="muted">never</span>
                ) : (
                  <TimeAgo at={token.lastUsedAt} />
                )}
              </td>
              <td>
                {token.expiresAt === null ? (
                  <span className="muted">never</span>
                ) : (
                  <TimeAgo at={token.expiresAt} />
                )}
              </td>
              <td>{token.createdBy ?? <span className="muted">unknown</span>}</td>
              <td>
                {token.status === "revoked" ? null : (
                  <button
                    type="button"
                    className="button danger small"
                    data-needs="admin"
                    onClick={() => onRevoke(token)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
