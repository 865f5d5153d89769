import type { LeaseStore } from "@keygate/core";
import type { Logger } from "pino";
import type { KeygateConfig } from "../config/load-config.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { AlertDedupe } from "./alert-dedupe.ts";
import type { AuthFailureGuard } from "./auth-failure-guard.ts";
import { startFailureSpikeReporter } from "./failure-spike-reporter.ts";
import { startRotationAlertsJob } from "./rotation-alerts-job.ts";

export interface AlertsOptions {
  readonly leases: LeaseStore;
  /** This process's identity in leases. */
  readonly holder: string;
  readonly config: Pick<KeygateConfig, "alerts" | "jobs">;
  /** The gateway's failure guard; undefined on a node without a gateway (no spikes to report). */
  readonly failureGuard: AuthFailureGuard | undefined;
  readonly nodeId: string;
  /** Called with each alert this node writes (metrics). */
  readonly onAlert?: ((type: string) => void) | undefined;
}

/**
 * Starts the node's alerting: the rotation-alerts scan (under its job lease:
 * `key.deprecated_in_use`, `key.sunset_approaching`) and, with a gateway,
 * the failure-spike reporter (`auth.failure_spike`). Both de-duplicate
 * through leases in the store, so several nodes never report one thing twice.
 */
export function startAlerts(
  deps: ServiceDeps,
  logger: Logger,
  options: AlertsOptions,
): { stop(): Promise<void> } {
  const { config } = options;
  const dedupe = new AlertDedupe({ leases: options.leases, holder: options.holder, clock: deps.clock });
  const scan = startRotationAlertsJob(deps, logger, {
    leases: options.leases,
    holder: options.holder,
    intervalMs: config.jobs.intervalMs,
    leaseTtlMs: config.jobs.leaseTtlMs,
    dedupe,
    inUseIntervalMs: config.alerts.deprecatedInUseIntervalSeconds * 1000,
    onAlert: options.onAlert,
  });
  const spikes =
    options.failureGuard === undefined || config.alerts.failureSpikePerMinute === 0
      ? undefined
      : startFailureSpikeReporter(deps, logger, {
          guard: options.failureGuard,
          dedupe,
          spikePerMinute: config.alerts.failureSpikePerMinute,
          cooldownMs: config.alerts.failureSpikeCooldownSeconds * 1000,
          nodeId: options.nodeId,
          onAlert: options.onAlert,
        });
  return {
    async stop() {
      await Promise.all([scan.stop(), spikes?.stop()]);
    },
  };
}
