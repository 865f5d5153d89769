import type { AddressInfo } from "node:net";
import {
  createGatewayServer,
  type GatewayLogger,
  type GatewayServerOptions,
} from "../../packages/server/src/gateway/gateway-server.ts";
import {
  compileRouteTable,
  type RouteRule,
  type RouteTable,
} from "../../packages/server/src/gateway/route-table.ts";
import { joinExposition } from "../../packages/server/src/metrics/join-exposition.ts";
import { createMetricsListener } from "../../packages/server/src/metrics/metrics-listener.ts";
import { systemClock } from "../../packages/server/src/platform/node-platform.ts";

/** The bench gateways log nothing: logging would be measured too. */
export const silentGatewayLogger: GatewayLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** The routes every bench gateway serves (the sections load GET /v2/daily-ohlcv). */
const BENCH_ROUTES: readonly RouteRule[] = [
  { method: "GET", path: "/v2/daily-ohlcv", scopes: ["read"], cost: 1 },
  { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 },
];

/** The bench routes, then `extra`, compiled. */
export function benchRoutes(extra: readonly RouteRule[] = []): RouteTable {
  return compileRouteTable([...BENCH_ROUTES, ...extra]);
}

/**
 * Runs a bench gateway process: creates the gateway (system clock, silent
 * logger), listens on an ephemeral loopback port, reports `{port, secret}`
 * over IPC, and on SIGTERM closes its connections, runs `shutdown` and exits
 * (1 when `shutdown` rejects). With `metrics`, an internal metrics listener
 * serves them with the gateway's counters (as a `--role gateway` node does)
 * and its port is reported as `metricsPort`.
 */
export async function serveBenchGateway(
  options: Omit<GatewayServerOptions, "clock" | "logger">,
  secret: string,
  shutdown?: () => Promise<void>,
  metrics?: () => Promise<string>,
): Promise<void> {
  const gateway = createGatewayServer({ clock: systemClock, logger: silentGatewayLogger, ...options });
  const { port } = await gateway.listen(0, "127.0.0.1");
  let metricsPort: number | undefined;
  if (metrics !== undefined) {
    const listener = createMetricsListener({
      metrics: async () => joinExposition([await metrics(), gateway.metricsText()]),
      logger: silentGatewayLogger,
    });
    metricsPort = (await listener.listen(0, "127.0.0.1")).port;
  }
  process.send?.({ port: (gateway.server.address() as AddressInfo).port ?? port, secret, metricsPort });
  process.on("SIGTERM", () => {
    gateway.server.closeAllConnections();
    if (shutdown === undefined) process.exit(0);
    else
      shutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
