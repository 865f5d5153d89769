import type { NodeView } from "../../api/types.ts";
import { EmptyState } from "../../components/empty-state.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";

export interface NodesListProps {
  readonly nodes: readonly NodeView[];
}

/** Live keygate nodes and the last change each applied. */
export function NodesList({ nodes }: NodesListProps) {
  if (nodes.length === 0) return <EmptyState title="No live node registered" />;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Live nodes</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Role</th>
            <th scope="col">Host</th>
            <th scope="col">Change bus</th>
            <th scope="col">Started</th>
            <th scope="col">Heartbeat</th>
            <th scope="col">Last change</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => (
            <tr key={node.id}>
              <td>
                <code>{node.id}</code>
              </td>
              <td>{node.role}</td>
              <td>
                {node.host ?? <span className="muted">—</span>}
                {node.pid === undefined ? null : <span className="muted"> (pid {node.pid})</span>}
              </td>
              <td>
                {node.busConnected === undefined ? (
                  <span className="muted">—</span>
                ) : (
                  <StatusBadge status={node.busConnected ? "connected" : "disconnected"} />
                )}
              </td>
              <td>
                <TimeAgo at={node.startedAt} />
              </td>
              <td>
                <TimeAgo at={node.lastHeartbeatAt} />
              </td>
              <td>
                {node.lastChangeId === null ? (
                  <span className="muted">none</span>
                ) : (
                  <code>{node.lastChangeId}</code>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
