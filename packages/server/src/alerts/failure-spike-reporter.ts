import type { Logger } from "pino";
import type { ServiceDeps } from "../services/service-deps.ts";
import type { AlertDedupe } from "./alert-dedupe.ts";
import type { AuthFailureGuard, FailureSpike } from "./auth-failure-guard.ts";
import { emitOnce } from "./emit-alert.ts";

export interface FailureSpikeReporterOptions {
  readonly guard: Pick<AuthFailureGuard, "drainSpikes">;
  readonly dedupe: AlertDedupe;
  /** The threshold the spikes passed, reported with them. */
  readonly spikePerMinute: number;
  /** One `auth.failure_spike` per client IP or key hint per this many ms, across nodes. */
  readonly cooldownMs: number;
  /** How often the guard's queue is read. Default 1000 ms. */
  readonly intervalMs?: number | undefined;
  readonly nodeId: string;
  readonly onAlert?: ((type: string) => void) | undefined;
}

function spikeData(spike: FailureSpike, options: FailureSpikeReporterOptions): Record<string, unknown> {
  return {
    dimension: spike.dimension,
    ...(spike.dimension === "clientIp" ? { clientIp: spike.subject } : { keyHint: spike.subject }),
    failuresPerMinute: spike.failures,
    threshold: options.spikePerMinute,
    minute: new Date(spike.minute).toISOString(),
    nodeId: options.nodeId,
  };
}

/** Writes the queued spikes of this node's guard, each subject once per cooldown across the cluster. */
export async function reportFailureSpikes(
  deps: ServiceDeps,
  options: FailureSpikeReporterOptions,
): Promise<number> {
  let written = 0;
  for (const spike of options.guard.drainSpikes()) {
    const alert = {
      type: "auth.failure_spike" as const,
      dedupeKey: `auth.failure_spike:${spike.dimension}:${spike.subject}`,
      dedupeMs: options.cooldownMs,
      data: spikeData(spike, options),
    };
    if (await emitOnce(deps, options.dedupe, alert)) {
      written++;
      options.onAlert?.(alert.type);
    }
  }
  return written;
}

/**
 * Runs `reportFailureSpikes` on a timer on every node (each node counts its
 * own clients). A failed pass is logged; its spikes are lost, the next minute
 * reports again if the failures go on.
 */
export function startFailureSpikeReporter(
  deps: ServiceDeps,
  logger: Logger,
  options: FailureSpikeReporterOptions,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => reportFailureSpikes(deps, options))
      .catch((error: unknown) => logger.warn({ err: error }, "failure spikes not reported"));
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
