import type { Clock, LeaseStore } from "@keygate/core";
import type { Logger } from "pino";

export interface LeasedJobOptions {
  /** The lease's name: one holder per name across every node sharing the store. */
  readonly name: string;
  readonly leases: LeaseStore;
  /** This node's identity in the lease row; unique per process. */
  readonly holder: string;
  /** How long a lease lasts without renewal: a crashed holder's job resumes elsewhere after at most this. */
  readonly ttlMs: number;
  /** Pause between two passes of the work. */
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * One pass of the job. `signal` aborts when the lease is lost or the runner
   * stops: a pass MUST stop starting new work then, and each of its steps
   * MUST be safe to repeat, since the next holder may redo an unfinished one.
   */
  pass(signal: AbortSignal): Promise<unknown>;
}

export interface LeasedJob {
  /** Whether this node holds the lease now. */
  isLeader(): boolean;
  /** Stops passes, waits for the running one, and releases the lease. */
  stop(): Promise<void>;
}

/** A sleep that `wake()` ends early. */
function interruptibleSleep(): { sleep(ms: number): Promise<void>; wake(): void } {
  let wakers = new Set<() => void>();
  return {
    sleep(ms) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      });
    },
    wake() {
      const current = wakers;
      wakers = new Set();
      for (const done of current) done();
    },
  };
}

/**
 * Runs a named job only while this node holds its lease in the store. The
 * lease is taken or renewed every `ttlMs / 3`; when a renewal fails or
 * errors (the store is unreachable: we cannot know), the pass in progress is
 * aborted and no new one starts until the lease is ours again. Because the
 * lease lives in the store, a restarted node simply contends again.
 */
export function startLeasedJob(options: LeasedJobOptions): LeasedJob {
  const { name, leases, holder, ttlMs, clock, logger } = options;
  const renewEveryMs = Math.max(1, Math.floor(ttlMs / 3));
  const timer = interruptibleSleep();
  let stopped = false;
  let leader: AbortController | null = null;
  let leaderChanged: () => void = () => undefined;

  const lose = (reason: string, error?: unknown) => {
    if (leader === null) return;
    leader.abort();
    leader = null;
    logger.warn(
      { job: name, holder, ...(error === undefined ? {} : { err: error }) },
      `lease lost: ${reason}`,
    );
  };

  const renewLoop = async () => {
    while (!stopped) {
      let held: boolean;
      try {
        held = await leases.acquireLease(name, holder, ttlMs, clock.now());
      } catch (error) {
        lose("renewal failed", error);
        held = false;
      }
      if (stopped) break;
      if (held && leader === null) {
        leader = new AbortController();
        logger.info({ job: name, holder }, "lease acquired; running job here");
        leaderChanged();
      } else if (!held) {
        lose("held by another node");
      }
      await timer.sleep(renewEveryMs);
    }
  };

  const passLoop = async () => {
    while (!stopped) {
      const current = leader;
      if (current === null) {
        await new Promise<void>((resolve) => {
          leaderChanged = resolve;
        });
        continue;
      }
      try {
        await options.pass(current.signal);
      } catch (error) {
        if (!current.signal.aborted) logger.warn({ err: error, job: name }, "job pass failed; will retry");
      }
      if (!stopped) await timer.sleep(options.intervalMs);
    }
  };

  const loops = Promise.all([renewLoop(), passLoop()]);
  return {
    isLeader: () => leader !== null,
    async stop() {
      if (stopped) return;
      stopped = true;
      leader?.abort();
      leader = null;
      timer.wake();
      leaderChanged();
      await loops;
      // Unconditionally: a renewal may have succeeded just as we stopped. Releasing is a no-op for a non-holder.
      await leases.releaseLease(name, holder).catch((error: unknown) => {
        logger.warn({ err: error, job: name }, "lease not released; it expires by itself");
      });
    },
  };
}
