import type { CounterAdd, CounterDraw, CounterRelease, CounterStore, TakeResult } from "@keygate/core";
import type { RpcEndpoint } from "./rpc-endpoint.ts";
import type { PrimaryMethods, WorkerMethods } from "./worker-methods.ts";

/**
 * A worker's `CounterStore` without Redis: every call runs on the primary's
 * counters (one `MemoryCounterStore` behind `PersistedCounterStore`), so a
 * take is atomic across all workers exactly as it is across one process, and
 * workers lease units from it as cluster nodes lease from Redis. A call the
 * primary does not answer in time rejects; the limiter then degrades to its
 * share of each limit, as it does when Redis is unreachable.
 */
export class IpcCounterStore implements CounterStore {
  readonly #rpc: RpcEndpoint<PrimaryMethods, WorkerMethods>;

  constructor(rpc: RpcEndpoint<PrimaryMethods, WorkerMethods>) {
    this.#rpc = rpc;
  }

  take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    return this.#rpc.call("take", draws);
  }

  release(releases: readonly CounterRelease[]): Promise<void> {
    return this.#rpc.call("release", releases);
  }

  add(adds: readonly CounterAdd[]): Promise<void> {
    return this.#rpc.call("add", adds);
  }

  read(keys: readonly string[]): Promise<number[]> {
    return this.#rpc.call("read", keys);
  }

  ping(): Promise<void> {
    return this.#rpc.call("ping");
  }

  /** The primary owns the counters: nothing to close here (the limiter hands its leases back before). */
  async close(): Promise<void> {}
}
