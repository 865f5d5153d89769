import type { Actor, KeyRecord, LeaseStore, PolicyStore } from "@keygate/core";
import { decideKeyValidity, KeygateError, planPolicyDue } from "@keygate/core";
import type { Logger } from "pino";
import { keySummary } from "../services/key-events.ts";
import { markKeyDue } from "../services/request-rotation.ts";
import { auditEntry, eventId, publishChange, type ServiceDeps } from "../services/service-deps.ts";
import { type LeasedJob, startLeasedJob } from "./job-lease.ts";

const PAGE = 500;
const ACTOR: Actor = { type: "system", id: "rotation-policy-job" };

export interface PolicyPassResult {
  /** Keys marked due (`key.rotation_due`). */
  readonly due: number;
  /** Due keys recorded expired at their sunset (`key.expired`). */
  readonly expired: number;
}

function isConflict(error: unknown): boolean {
  return error instanceof KeygateError && error.code === "CONFLICT";
}

/** Marks the keys of one consumer due that its policy says are; returns how many. */
async function applyPolicy(
  deps: ServiceDeps,
  consumer: { id: string; rotationPolicy: Parameters<typeof planPolicyDue>[1] },
  signal: AbortSignal,
): Promise<number> {
  let due = 0;
  let after: string | undefined;
  for (;;) {
    const keys = await deps.store.listKeys({ consumerId: consumer.id, status: "active", after, limit: PAGE });
    for (const key of keys) {
      if (signal.aborted) return due;
      const decision = planPolicyDue(key, consumer.rotationPolicy, deps.clock.now());
      if (decision.type !== "due") continue;
      try {
        await markKeyDue(deps, ACTOR, key, decision.dueAt, decision.sunsetAt, "policy");
        due++;
      } catch (error) {
        // The key changed meanwhile (rotated, revoked, made due by another node): the next pass sees it anew.
        if (!isConflict(error)) throw error;
      }
    }
    if (keys.length < PAGE) return due;
    after = keys.at(-1)?.id;
  }
}

/**
 * Records a due key nobody rotated as expired once its sunset has passed.
 * Verification refused it at that very moment already (it decides from
 * `sunsetAt`); this brings the stored status, the audit log and `key.expired`
 * in line.
 */
async function expireAtSunset(deps: ServiceDeps, key: KeyRecord): Promise<boolean> {
  const now = deps.clock.now();
  if (decideKeyValidity(key, now).type !== "invalid") return false;
  const expired: KeyRecord = { ...key, status: "expired" };
  const data = {
    ...keySummary(expired),
    reason: "sunset",
    sunsetAt: new Date(key.sunsetAt ?? now).toISOString(),
  };
  const result = await deps.store.commit({
    writes: [{ type: "updateKey", key: expired, expectRevision: key.revision }],
    audit: [auditEntry(now, ACTOR, "key.expire", "key", key.id, data)],
    events: [{ id: eventId(deps, now), type: "key.expired", at: now, data }],
  });
  if (!result.ok) return false;
  await publishChange(deps, { keyIds: [key.id] });
  return true;
}

/**
 * One pass of the rotation-policy job: every active key of every consumer
 * with a policy is checked against `planPolicyDue` and marked due through
 * the same path as `request-rotation` (`key.rotation_due`, once: a due key is
 * never picked again); due keys past their sunset are recorded expired. Each
 * step is a guarded commit, so a pass is safe to repeat or to race.
 */
export async function runPolicyPass(
  deps: ServiceDeps,
  policies: PolicyStore,
  signal: AbortSignal = new AbortController().signal,
): Promise<PolicyPassResult> {
  let due = 0;
  let expired = 0;
  let after: string | undefined;
  for (;;) {
    const consumers = await policies.listConsumersWithPolicy({ after, limit: PAGE });
    for (const consumer of consumers) {
      if (signal.aborted) return { due, expired };
      due += await applyPolicy(deps, consumer, signal);
    }
    if (consumers.length < PAGE) break;
    after = consumers.at(-1)?.id;
  }
  for (;;) {
    const past = await policies.listActiveKeysPastSunset(deps.clock.now(), PAGE);
    let progressed = 0;
    for (const key of past) {
      if (signal.aborted) return { due, expired };
      if (await expireAtSunset(deps, key)) progressed++;
    }
    expired += progressed;
    // A full page that moved nothing (every commit lost a race) would only repeat itself: stop till the next pass.
    if (past.length < PAGE || progressed === 0) return { due, expired };
  }
}

/** The lease the rotation-policy job runs under. */
export const ROTATION_POLICY_JOB = "rotation-policy";

export interface RotationPolicyJobOptions {
  readonly leases: LeaseStore;
  readonly policies: PolicyStore;
  /** This process's identity in job leases. */
  readonly holder: string;
  readonly intervalMs: number;
  readonly leaseTtlMs: number;
}

/** Runs `runPolicyPass` every `intervalMs` on the one node holding the `rotation-policy` lease. */
export function startRotationPolicyJob(
  deps: ServiceDeps,
  logger: Logger,
  options: RotationPolicyJobOptions,
): LeasedJob {
  return startLeasedJob({
    name: ROTATION_POLICY_JOB,
    leases: options.leases,
    holder: options.holder,
    ttlMs: options.leaseTtlMs,
    intervalMs: options.intervalMs,
    clock: deps.clock,
    logger,
    async pass(signal) {
      const result = await runPolicyPass(deps, options.policies, signal);
      if (result.due > 0 || result.expired > 0) logger.info(result, "rotation policies applied");
      return result;
    },
  });
}
