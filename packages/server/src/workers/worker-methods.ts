import type { Change, CounterAdd, CounterDraw, CounterRelease, TakeResult } from "@keygate/core";
import type { PropagationStatus } from "../cluster/propagation.ts";
import type { NodeInfo } from "../cluster/redis/node-registry.ts";

/**
 * What the primary answers its workers over IPC (`RpcEndpoint`): the
 * counters it owns, the acknowledgements it tracks, the processes it runs.
 * Type aliases, not interfaces: `RpcMethods` needs an index signature.
 */
export type PrimaryMethods = {
  /** The worker's change bus is listening: send it every change from now on. */
  join(self: { readonly pid: number; readonly startedAt: number }): null;
  take(draws: readonly CounterDraw[]): Promise<TakeResult>;
  release(releases: readonly CounterRelease[]): Promise<void>;
  add(adds: readonly CounterAdd[]): Promise<void>;
  read(keys: readonly string[]): Promise<number[]>;
  ping(): Promise<void>;
  changeStatus(changeId: string): Promise<PropagationStatus | null>;
  waitForChange(
    change: Change,
    options: { readonly timeoutMs: number },
  ): Promise<{ status: PropagationStatus; complete: boolean }>;
  liveNodes(): Promise<NodeInfo[]>;
};

/** What a worker answers the primary. */
export type WorkerMethods = {
  /** The worker's own Prometheus exposition (the primary adds them up). */
  metrics(): Promise<string>;
};

/** How long an IPC call may go unanswered (a take, a read): the primary answers these from memory. */
export const RPC_TIMEOUT_MS = 5_000;
