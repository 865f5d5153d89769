import type { Change, ChangeBus, ChangeHandler, Clock } from "@keygate/core";
import type { PropagationStatus, PropagationTracker } from "../cluster/propagation.ts";
import type { NodeInfo } from "../cluster/redis/node-registry.ts";
import type { RpcEndpoint } from "./rpc-endpoint.ts";
import type { IpcChannel } from "./worker-messages.ts";
import type { PrimaryMethods, WorkerMethods } from "./worker-methods.ts";

/**
 * A worker's change bus without Redis: a change made here is applied here at
 * once and handed to the primary, which applies it and sends it to the other
 * workers; a change from the primary is applied and acknowledged at once.
 * Acknowledgements are tracked by the primary, so `status` and `waitFor` ask
 * it. If the primary goes away, so does the worker (node:cluster exits a
 * worker whose channel closes), so there is no "bus lost" state to handle.
 */
export class WorkerChangeBus implements ChangeBus, PropagationTracker {
  readonly #channel: IpcChannel;
  readonly #rpc: RpcEndpoint<PrimaryMethods, WorkerMethods>;
  readonly #clock: Clock;
  readonly #handlers = new Set<ChangeHandler>();
  readonly #unsubscribe: () => void;

  constructor(channel: IpcChannel, rpc: RpcEndpoint<PrimaryMethods, WorkerMethods>, clock: Clock) {
    this.#channel = channel;
    this.#rpc = rpc;
    this.#clock = clock;
    this.#unsubscribe = channel.onMessage((message) => {
      if (message.kg !== "change") return;
      this.#apply(message.change);
      this.#channel.send({ kg: "ack", id: message.change.id }).catch(() => undefined);
    });
  }

  /**
   * Joins the primary's bus; resolves once the primary sends this worker
   * every later change. Call before anything is cached: a change committed
   * before the join is already in the store this worker reads.
   */
  async start(): Promise<void> {
    await this.#rpc.call("join", { pid: process.pid, startedAt: this.#clock.now() });
  }

  async publish(change: Change): Promise<void> {
    this.#apply(change);
    await this.#channel.send({ kg: "publish", change });
  }

  subscribe(handler: ChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    this.#handlers.clear();
  }

  status(changeId: string): Promise<PropagationStatus | null> {
    return this.#rpc.call("changeStatus", changeId);
  }

  waitFor(change: Change, timeoutMs: number): Promise<{ status: PropagationStatus; complete: boolean }> {
    return this.#rpc.call("waitForChange", change, { timeoutMs });
  }

  liveNodes(): Promise<NodeInfo[]> {
    return this.#rpc.call("liveNodes");
  }

  #apply(change: Change): void {
    for (const handler of this.#handlers) handler(change);
  }
}
