import { decideRetirement, KeygateError, type LeaseStore } from "@keygate/core";
import type { Logger } from "pino";
import { completeRotation } from "../services/rotations.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { type LeasedJob, startLeasedJob } from "./job-lease.ts";

const PAGE = 500;

/**
 * Retires old keys of overlapping rotations by deadline or, for
 * `retire: "idle"`, by observed traffic. Verification never waits for this
 * job (a key past its sunset is refused at that moment); the job brings stored
 * state, events and audit in line. Safe to run on several nodes at once: each
 * completion is a guarded commit, and a lost race is a conflict we skip.
 */
export async function runRetirementPass(deps: ServiceDeps, logger: Logger): Promise<number> {
  let retired = 0;
  let after: string | undefined;
  for (;;) {
    const rotations = await deps.store.listRotations({ state: "overlapping", after, limit: PAGE });
    for (const rotation of rotations) {
      const [oldKey, newKey] = await Promise.all([
        deps.store.getKey(rotation.oldKeyId),
        deps.store.getKey(rotation.newKeyId),
      ]);
      if (!oldKey || !newKey) continue;
      const decision = decideRetirement(rotation, oldKey, newKey, deps.clock.now());
      if (decision.type === "keep") continue;
      try {
        await completeRotation(deps, { type: "system", id: "retirement-job" }, rotation.id, decision.reason);
        retired++;
        logger.info(
          { rotationId: rotation.id, reason: decision.reason },
          "rotation completed, old key retired",
        );
      } catch (error) {
        if (!(error instanceof KeygateError && error.code === "CONFLICT")) throw error;
      }
    }
    if (rotations.length < PAGE) return retired;
    after = rotations.at(-1)?.id;
  }
}

/** The lease the retirement job runs under. */
export const RETIREMENT_JOB = "retire-rotations";

export interface RetirementJobOptions {
  readonly leases: LeaseStore;
  /** This process's identity in job leases. */
  readonly holder: string;
  readonly intervalMs: number;
  readonly leaseTtlMs: number;
}

/**
 * Runs `runRetirementPass` every `intervalMs` on the one node holding the
 * `retire-rotations` lease; a failing pass is logged and retried.
 */
export function startRetirementJob(
  deps: ServiceDeps,
  logger: Logger,
  options: RetirementJobOptions,
): LeasedJob {
  return startLeasedJob({
    name: RETIREMENT_JOB,
    leases: options.leases,
    holder: options.holder,
    ttlMs: options.leaseTtlMs,
    intervalMs: options.intervalMs,
    clock: deps.clock,
    logger,
    pass: () => runRetirementPass(deps, logger),
  });
}
