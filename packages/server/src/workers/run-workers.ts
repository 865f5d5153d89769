import cluster from "node:cluster";
import { hostname } from "node:os";
import type { KeygateConfig } from "../config/load-config.ts";
import { createLogger } from "../logging/create-logger.ts";
import { systemClock } from "../platform/node-platform.ts";
import { startKeygate } from "../start-keygate.ts";
import { primaryPart } from "./primary-part.ts";
import { WorkerHub } from "./worker-hub.ts";
import { processChannel } from "./worker-messages.ts";
import { workerProcessPart } from "./worker-process-part.ts";
import { WORKER_INDEX_ENV, WorkerSupervisor } from "./worker-supervisor.ts";

/**
 * How long the primary waits for its workers to drain on SIGTERM: the
 * gateway's own grace for requests in flight (10 s) plus time to hand leases
 * back and flush usage.
 */
const DRAIN_GRACE_MS = 15_000;

/**
 * `keygate start --workers n` (n > 1): in the primary, starts the primary's
 * part of the node and forks the workers; in a worker (the same command,
 * forked by node:cluster), starts the worker's part. Returns once started;
 * SIGTERM and SIGINT end it gracefully.
 */
export async function runWorkers(config: KeygateConfig): Promise<void> {
  if (cluster.isWorker) await runWorker(config);
  else await runPrimary(config);
}

async function runPrimary(config: KeygateConfig): Promise<void> {
  const logger = createLogger({ level: config.logLevel, nodeId: config.nodeId }).child({
    process: "primary",
  });
  const sharedOnly = config.role === "gateway" || config.role === "authz";
  const hub = new WorkerHub({
    clock: systemClock,
    nodeId: `${config.nodeId ?? hostname()}:${process.pid}`,
    primaryRole: sharedOnly ? config.role : "admin",
    workerRole: sharedOnly ? config.role : "gateway",
  });
  const supervisor = new WorkerSupervisor({ count: config.workers, hub, logger });
  const node = await startKeygate({
    config,
    logger,
    workers: primaryPart(hub, () => supervisor.metricsText()),
  });
  if (node.generatedAdminToken !== undefined) {
    // Printed once, to the terminal only (never through the logger).
    process.stdout.write(
      `\nBootstrap admin token (shown once, store it now):\n  ${node.generatedAdminToken}\n` +
        "Set KEYGATE_ADMIN_TOKEN to it for the CLI.\n\n",
    );
  }
  try {
    await supervisor.start();
  } catch (error) {
    await supervisor.drain(0);
    await node.close();
    throw error;
  }
  logger.info({ workers: config.workers, schedulingPolicy: policyName() }, "keygate workers started");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining workers");
    // Workers first: they hand their leases back to the counters this process still holds.
    supervisor
      .drain(DRAIN_GRACE_MS)
      .then(() => node.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

function policyName(): string {
  return cluster.schedulingPolicy === cluster.SCHED_RR ? "round-robin (primary)" : "operating system";
}

async function runWorker(config: KeygateConfig): Promise<void> {
  const index = Number(process.env[WORKER_INDEX_ENV] ?? "0");
  const logger = createLogger({ level: config.logLevel, nodeId: config.nodeId }).child({
    process: `worker-${index}`,
  });
  const channel = processChannel(process);
  let node: Awaited<ReturnType<typeof startKeygate>>;
  try {
    node = await startKeygate({ config, logger, workers: workerProcessPart(channel) });
  } catch (error) {
    logger.error({ err: error instanceof Error ? error.message : String(error) }, "worker failed to start");
    logger.flush();
    process.exit(1);
  }
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    if (stopping !== undefined) return;
    logger.info({ reason }, "worker draining");
    stopping = node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  channel.onMessage((message) => {
    if (message.kg === "drain") stop("drain");
  });
  // A signal to the whole process group (Ctrl-C) reaches the workers too: they drain as asked by the primary.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await channel.send({ kg: "ready" });
}
