import { z } from "zod";
import { defineRoute } from "../route-kit.ts";

const nodeView = z.strictObject({
  id: z.string(),
  role: z.enum(["all", "gateway", "admin"]),
  host: z.string(),
  pid: z.int(),
  startedAt: z.iso.datetime(),
  lastHeartbeatAt: z.iso.datetime(),
  lastChangeId: z.string().nullable(),
  lastAckAt: z.iso.datetime().nullable(),
  busConnected: z.boolean(),
});

export const listNodesRoute = defineRoute({
  method: "GET",
  url: "/v1/nodes",
  access: "viewer",
  operationId: "listNodes",
  summary: "Live nodes of the cluster: role, heartbeat, and the last change each applied",
  tag: "changes",
  responses: {
    200: {
      description: "Nodes whose heartbeat is fresh",
      schema: z.strictObject({ data: z.array(nodeView) }),
    },
  },
  async handler({ ctx }) {
    const nodes = ctx.liveNodes ? await ctx.liveNodes() : [];
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      status: 200,
      body: {
        data: nodes.map((n) => ({
          id: n.nodeId,
          role: n.role,
          host: n.host,
          pid: n.pid,
          startedAt: iso(n.startedAt),
          lastHeartbeatAt: iso(n.lastHeartbeatAt),
          lastChangeId: n.lastChangeId,
          lastAckAt: n.lastAckAt === null ? null : iso(n.lastAckAt),
          busConnected: n.busConnected,
        })),
      },
    };
  },
});
