import type {
  AlertView,
  ConsumerView,
  KeyView,
  NodeView,
  Page,
  RotationView,
  StatsView,
} from "../api/types.ts";
import { Card } from "../components/card.tsx";
import { LiveNote } from "../components/live-note.tsx";
import { Loadable } from "../components/loadable.tsx";
import { PageHeader } from "../components/page-header.tsx";
import { LazyRequestsChart } from "../features/charts/lazy-charts.tsx";
import { AlertsList } from "../features/overview/alerts-list.tsx";
import { KeysByStatus } from "../features/overview/keys-by-status.tsx";
import { NodesList } from "../features/overview/nodes-list.tsx";
import { RotationsInProgress } from "../features/overview/rotations-in-progress.tsx";
import { usePolling } from "../hooks/use-polling.ts";
import { useTail } from "../hooks/use-tail.ts";
import { useApi } from "../session/session-context.ts";

const ALERTS_SHOWN = 8;

export function OverviewPage() {
  const api = useApi();
  const stats = usePolling("stats", (signal) => api.get<StatsView>("/v1/stats", {}, signal));
  const rotations = usePolling("rotations:overlapping", async (signal) => {
    // The old key of an open rotation is deprecated: one page of those names every rotation's key.
    const [open, consumers, deprecated] = await Promise.all([
      api.get<Page<RotationView>>("/v1/rotations", { state: "overlapping", limit: 200 }, signal),
      api.get<Page<ConsumerView>>("/v1/consumers", { limit: 1000 }, signal),
      api.get<Page<KeyView>>("/v1/keys", { status: "deprecated", limit: 1000 }, signal),
    ]);
    return {
      rotations: open.data,
      consumers: new Map(consumers.data.map((c) => [c.id, c])),
      keys: new Map(deprecated.data.map((k) => [k.id, k])),
    };
  });
  const alerts = useTail<AlertView>(
    "alerts",
    (after, signal) => api.get<Page<AlertView>>("/v1/alerts", { after, limit: 200 }, signal),
    { cursorOf: (alert) => alert.id, maxItems: ALERTS_SHOWN },
  );
  const nodes = usePolling("nodes", (signal) => api.get<Page<NodeView>>("/v1/nodes", {}, signal), 10_000);

  return (
    <>
      <PageHeader title="Overview" subtitle={<LiveNote polled={rotations} />} />
      <Card title="Keys and consumers">
        <Loadable polled={stats} label="statistics" optional>
          {(data) => <KeysByStatus stats={data} />}
        </Loadable>
      </Card>
      <div className="grid-2">
        <Card title="Requests per minute">
          <Loadable polled={stats} label="request statistics" optional>
            {(data) => <LazyRequestsChart series={data.requestsPerMinute} />}
          </Loadable>
        </Card>
        <Card title="Alerts">
          <Loadable polled={alerts} label="alerts" optional>
            {(data) => <AlertsList alerts={data} />}
          </Loadable>
        </Card>
      </div>
      <Card title="Rotations in progress">
        <Loadable polled={rotations} label="rotations">
          {(data) => (
            <RotationsInProgress rotations={data.rotations} consumers={data.consumers} keys={data.keys} />
          )}
        </Loadable>
      </Card>
      <Card title="Cluster nodes">
        <Loadable polled={nodes} label="node reports" optional>
          {(data) => <NodesList nodes={data.data} />}
        </Loadable>
      </Card>
    </>
  );
}
