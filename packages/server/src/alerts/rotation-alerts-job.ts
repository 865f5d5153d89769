import type { LeaseStore } from "@keygate/core";
import { planRotationAlerts } from "@keygate/core";
import type { Logger } from "pino";
import { type LeasedJob, startLeasedJob } from "../jobs/job-lease.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import type { AlertDedupe } from "./alert-dedupe.ts";
import { emitOnce } from "./emit-alert.ts";

const PAGE = 500;

export interface RotationAlertsOptions {
  readonly dedupe: AlertDedupe;
  /** `key.deprecated_in_use` at most once per this many ms per key. */
  readonly inUseIntervalMs: number;
  /** Called with each alert written (metrics). */
  readonly onAlert?: ((type: string) => void) | undefined;
}

/**
 * One pass over the overlapping rotations: each old key's last use (which
 * every gateway node writes to the store within about a second) is checked
 * by `planRotationAlerts`, and what it calls for is written once per
 * de-duplication window. Returns the number of alerts written.
 */
export async function runRotationAlertsPass(
  deps: ServiceDeps,
  options: RotationAlertsOptions,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  let written = 0;
  let after: string | undefined;
  for (;;) {
    const rotations = await deps.store.listRotations({ state: "overlapping", after, limit: PAGE });
    for (const rotation of rotations) {
      if (signal.aborted) return written;
      const oldKey = await deps.store.getKey(rotation.oldKeyId);
      if (oldKey === null) continue;
      const alerts = planRotationAlerts(rotation, oldKey, deps.clock.now(), {
        inUseIntervalMs: options.inUseIntervalMs,
      });
      for (const alert of alerts) {
        if (await emitOnce(deps, options.dedupe, alert)) {
          written++;
          options.onAlert?.(alert.type);
        }
      }
    }
    if (rotations.length < PAGE) return written;
    after = rotations.at(-1)?.id;
  }
}

/** The lease the rotation-alerts scan runs under: one node scans, the dedupe leases keep reports single. */
export const ROTATION_ALERTS_JOB = "rotation-alerts";

export interface RotationAlertsJobOptions extends RotationAlertsOptions {
  readonly leases: LeaseStore;
  readonly holder: string;
  readonly intervalMs: number;
  readonly leaseTtlMs: number;
}

export function startRotationAlertsJob(
  deps: ServiceDeps,
  logger: Logger,
  options: RotationAlertsJobOptions,
): LeasedJob {
  return startLeasedJob({
    name: ROTATION_ALERTS_JOB,
    leases: options.leases,
    holder: options.holder,
    ttlMs: options.leaseTtlMs,
    intervalMs: options.intervalMs,
    clock: deps.clock,
    logger,
    pass: (signal) => runRotationAlertsPass(deps, options, signal),
  });
}
