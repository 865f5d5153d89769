import type { Clock, LeaseStore, RetentionStore } from "@keygate/core";
import type { Logger } from "pino";
import { type LeasedJob, startLeasedJob } from "./job-lease.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * Rows per transaction. SQLite's write lock is held for one batch (usage
 * flushes and commits wait that long): measured 75 ms per 5,000-row batch on
 * an idle 2-core VM, mostly writing the commit's WAL frames, and ~0.2 s under
 * load; smaller batches cost about as much each (the commit dominates), so a
 * month's backlog for 1,000 keys would take several times longer.
 */
export const RETENTION_BATCH_ROWS = 5000;

/** How long data is kept at each granularity (config `usage.retention`, `webhooks.retentionDays`). */
export interface RetentionPolicy {
  /** Per-minute usage rows older than this many days are rolled up into hours. */
  readonly minuteDays: number;
  /** Hourly rows older than this many days are rolled up into days (kept forever). */
  readonly hourDays: number;
  /** Finished webhook deliveries are deleted this many days after their last attempt. */
  readonly webhookDays: number;
  /** Finished consumer mail, ended sessions and expired sign-in links are deleted after this many days. */
  readonly portalDays: number;
}

/** Rows a pass moved or deleted. */
export interface RetentionPassResult {
  readonly minutesRolledUp: number;
  readonly hoursRolledUp: number;
  readonly deliveriesPruned: number;
  /** The most rows deleted from one of mail, portal sessions and sign-in links. */
  readonly portalRecordsPruned: number;
  /** Ended or expired dashboard (SSO) sessions deleted, after the same days as portal sessions. */
  readonly operatorSessionsPruned: number;
}

/**
 * The cut-offs at `now`: whole UTC hours (minutes) and whole UTC days
 * (hours), so a pass rolls up complete hours and days and a rolled-up row
 * never straddles the boundary.
 */
export function retentionCutoffs(now: number, policy: RetentionPolicy): { minutes: number; hours: number } {
  return {
    minutes: Math.floor((now - policy.minuteDays * DAY_MS) / HOUR_MS) * HOUR_MS,
    hours: Math.floor((now - policy.hourDays * DAY_MS) / DAY_MS) * DAY_MS,
  };
}

/** Repeats one batch step until it takes fewer than a full batch or the signal aborts. */
async function drain(
  step: (limit: number) => Promise<number>,
  batchRows: number,
  signal: AbortSignal,
): Promise<number> {
  let total = 0;
  while (!signal.aborted) {
    const n = await step(batchRows);
    total += n;
    if (n < batchRows) break;
  }
  return total;
}

/**
 * One pass: old minutes into hours, then old hours into days, then finished
 * webhook deliveries past their retention. Each batch is its own transaction
 * (see `RetentionStore`): a pass that is aborted or crashes between batches
 * leaves every request counted exactly once, and the next pass continues.
 */
export async function runRetentionPass(
  store: RetentionStore,
  clock: Clock,
  policy: RetentionPolicy,
  signal: AbortSignal,
  batchRows = RETENTION_BATCH_ROWS,
): Promise<RetentionPassResult> {
  const now = clock.now();
  const cut = retentionCutoffs(now, policy);
  const minutesRolledUp = await drain((n) => store.rollUpUsageMinutes(cut.minutes, n), batchRows, signal);
  const hoursRolledUp = await drain((n) => store.rollUpUsageHours(cut.hours, n), batchRows, signal);
  const deliveriesPruned = await drain(
    (n) => store.pruneWebhookDeliveries(now - policy.webhookDays * DAY_MS, n),
    batchRows,
    signal,
  );
  const portalRecordsPruned = await drain(
    (n) => store.prunePortalRecords(now - policy.portalDays * DAY_MS, n),
    batchRows,
    signal,
  );
  const operatorSessionsPruned = await drain(
    (n) => store.pruneOperatorSessions(now - policy.portalDays * DAY_MS, n),
    batchRows,
    signal,
  );
  return { minutesRolledUp, hoursRolledUp, deliveriesPruned, portalRecordsPruned, operatorSessionsPruned };
}

/** The lease the retention job runs under. */
export const RETENTION_JOB = "retention";

export interface RetentionJobOptions {
  readonly store: RetentionStore;
  readonly leases: LeaseStore;
  readonly clock: Clock;
  readonly policy: RetentionPolicy;
  /** This process's identity in job leases. */
  readonly holder: string;
  readonly intervalMs: number;
  readonly leaseTtlMs: number;
}

/** Runs `runRetentionPass` every `intervalMs` on the one node holding the `retention` lease. */
export function startRetentionJob(logger: Logger, options: RetentionJobOptions): LeasedJob {
  return startLeasedJob({
    name: RETENTION_JOB,
    leases: options.leases,
    holder: options.holder,
    ttlMs: options.leaseTtlMs,
    intervalMs: options.intervalMs,
    clock: options.clock,
    logger,
    async pass(signal) {
      const result = await runRetentionPass(options.store, options.clock, options.policy, signal);
      if (
        result.minutesRolledUp > 0 ||
        result.hoursRolledUp > 0 ||
        result.deliveriesPruned > 0 ||
        result.portalRecordsPruned > 0 ||
        result.operatorSessionsPruned > 0
      )
        logger.info(result, "retention: usage rolled up, old deliveries, mail and sessions pruned");
      return result;
    },
  });
}
