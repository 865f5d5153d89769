import type { JobLease } from "./model.ts";

/**
 * Named leases that let exactly one node run a scheduled job at a time.
 * Times are the callers' clocks in epoch ms: keep TTLs well above the clock
 * skew between nodes.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `holder` until `now + ttlMs` if it is free,
   * expired (`expiresAt <= now`) or already held by `holder` (a renewal), in
   * ONE atomic step. Returns whether `holder` holds it now. Of any number of
   * concurrent contenders for a free lease, exactly one MUST win.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /** Frees the lease if `holder` holds it; otherwise does nothing. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The lease row (possibly expired), or null if never taken or released. */
  getLease(name: string): Promise<JobLease | null>;
}
