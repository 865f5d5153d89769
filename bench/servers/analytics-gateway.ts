/**
 * The keygate gateway over a SQLite file store, with usage analytics and
 * alerts either all on or all off (`analytics-gateway.ts <upstream> on|off <db-file>`):
 * - on: every verification counted and timed (`TimedVerifier`), per-key
 *   per-minute counts and last use persisted every second (`UsageRecorder`
 *   with a usage store), failed authentications tracked per client
 *   (`AuthFailureGuard`), the rotation-alerts scan, the failure-spike
 *   reporter and the rotation-policy job running, `/metrics` served (on an
 *   internal metrics listener, as a `--role gateway` node serves it);
 * - off: none of that (no usage sink, the bare `Verifier`).
 * `KG_ANALYTICS_WITHOUT=process,jobs,persist,timing` leaves parts out of "on",
 * to see what each costs. Reports its port and the key over IPC.
 */
import { pino } from "pino";
import { AuthFailureGuard } from "../../packages/server/src/alerts/auth-failure-guard.ts";
import { startAlerts } from "../../packages/server/src/alerts/start-alerts.ts";
import { LocalChangeBus } from "../../packages/server/src/cluster/local/local-change-bus.ts";
import { fileConfigSchema } from "../../packages/server/src/config/config-schema.ts";
import type { GatewayServerOptions } from "../../packages/server/src/gateway/gateway-server.ts";
import { startRotationPolicyJob } from "../../packages/server/src/jobs/rotation-policy-job.ts";
import { NodeMetrics } from "../../packages/server/src/metrics/node-metrics.ts";
import { TimedVerifier } from "../../packages/server/src/metrics/timed-verifier.ts";
import { VerificationMetrics } from "../../packages/server/src/metrics/verification-metrics.ts";
import { cryptoRandom, nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../packages/server/src/store/sql/sqlite-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { seedOneKey } from "../lib/bench-key-world.ts";
import { benchRoutes, serveBenchGateway } from "../lib/gateway-process.ts";

const [upstream, mode, dbFile] = process.argv.slice(2);
if (upstream === undefined || (mode !== "on" && mode !== "off") || dbFile === undefined) {
  throw new Error("usage: analytics-gateway.ts <upstream-url> on|off <db-file>");
}

const store = new SqliteKeyStore({ path: dbFile, hasher: nodeHasher });
await store.migrate();
const secret = await seedOneKey(store, {
  scopes: ["read"],
  plan: null,
  // A policy, so the policy job has a consumer to look at on every pass.
  rotationPolicy: { maxAgeDays: 90, overlapSeconds: 86_400, notifyBeforeDays: 7 },
});

const logger = pino({ level: "silent" });
const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher, ttlMs: 3_600_000 });
const config = fileConfigSchema.parse({});

const stops: Array<() => Promise<void>> = [];
let gatewayOptions: Partial<GatewayServerOptions> = { verifier };
let nodeMetricsText: (() => Promise<string>) | undefined;
const without = new Set((process.env.KG_ANALYTICS_WITHOUT ?? "").split(","));
if (mode === "on") {
  const verification = new VerificationMetrics();
  const usage = new UsageRecorder({ store, usageStore: without.has("persist") ? undefined : store });
  const failureGuard = new AuthFailureGuard({
    spikePerMinute: config.alerts.failureSpikePerMinute,
    throttlePerMinute: config.alerts.throttleFailuresPerMinute,
    maxTracked: config.alerts.trackedClients,
  });
  const nodeMetrics = new NodeMetrics({
    verification,
    verifier,
    usage,
    failureGuard,
    processMetrics: !without.has("process"),
  });
  const deps = {
    store,
    clock: systemClock,
    random: cryptoRandom,
    hasher: nodeHasher,
    bus: new LocalChangeBus(),
  };
  const holder = `bench/${process.pid}`;
  const alerts = without.has("jobs")
    ? { stop: async () => {} }
    : startAlerts(deps, logger, { leases: store, holder, config, failureGuard, nodeId: holder });
  const policy = without.has("jobs")
    ? { stop: async () => {} }
    : startRotationPolicyJob(deps, logger, {
        leases: store,
        policies: store,
        holder,
        intervalMs: config.jobs.policyIntervalMs,
        leaseTtlMs: config.jobs.leaseTtlMs,
      });
  stops.push(
    () => alerts.stop(),
    () => policy.stop(),
    () => usage.close(),
  );
  gatewayOptions = {
    verifier: without.has("timing") ? verifier : new TimedVerifier(verifier, verification),
    usage,
    failureGuard,
  };
  nodeMetricsText = () => nodeMetrics.text();
}

await serveBenchGateway(
  { verifier, upstream, routes: benchRoutes(), ...gatewayOptions },
  secret,
  () => Promise.all(stops.map((stop) => stop())).then(() => store.close()),
  nodeMetricsText,
);
