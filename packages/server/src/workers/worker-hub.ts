import { hostname } from "node:os";
import type { Change, ChangeBus, ChangeHandler, Clock, CounterStore } from "@keygate/core";
import type { PropagationStatus, PropagationTracker } from "../cluster/propagation.ts";
import type { NodeInfo } from "../cluster/redis/node-registry.ts";
import type { NodeRole } from "../cluster/redis/redis-change-bus-options.ts";
import { RpcEndpoint } from "./rpc-endpoint.ts";
import type { IpcChannel } from "./worker-messages.ts";
import { type PrimaryMethods, RPC_TIMEOUT_MS, type WorkerMethods } from "./worker-methods.ts";

/** Changes whose acknowledgements are kept (like `LocalChangeBus`), oldest dropped first. */
const RETAINED_CHANGES = 10_000;

interface AttachedWorker {
  readonly index: number;
  readonly pid: number;
  readonly channel: IpcChannel;
  readonly rpc: RpcEndpoint<WorkerMethods, PrimaryMethods>;
  readonly unsubscribe: () => void;
  startedAt: number;
  /** Joined the bus: receives (and must acknowledge) every change from then on. */
  joined: boolean;
  lastChangeId: string | null;
  lastAckAt: number | null;
}

interface Tracked {
  /** Workers that were on the bus when the change went out. */
  readonly expected: Set<number>;
  readonly acked: Set<number>;
  readonly waiters: Set<() => void>;
}

export interface WorkerHubOptions {
  readonly clock: Clock;
  /** The roles `GET /v1/nodes` shows: the primary's (admin, portal) and its workers' (gateway, authz). */
  readonly primaryRole: NodeRole;
  readonly workerRole: NodeRole;
  readonly nodeId: string;
}

/**
 * The primary's side of `--workers n` without Redis: the node's change bus
 * (applied here, sent to every worker, acknowledged by each), the
 * propagation tracker behind `?wait=true` and `GET /v1/changes/{id}`, the
 * live-process list behind `GET /v1/nodes`, and the counters every worker
 * leases from. Workers are `attach`ed when forked and `detach`ed when they
 * exit; a change stops waiting for a worker that exited (its replacement
 * starts with an empty cache, so it needs no old change).
 */
export class WorkerHub implements ChangeBus, PropagationTracker {
  readonly #clock: Clock;
  readonly #options: WorkerHubOptions;
  readonly #startedAt: number;
  readonly #handlers = new Set<ChangeHandler>();
  readonly #workers = new Map<number, AttachedWorker>();
  readonly #tracked = new Map<string, Tracked>();
  #counters: CounterStore | undefined;
  #lastChangeId: string | null = null;
  #lastAckAt: number | null = null;

  constructor(options: WorkerHubOptions) {
    this.#clock = options.clock;
    this.#options = options;
    this.#startedAt = options.clock.now();
  }

  /** The counters workers lease from (the primary's own limiter draws from the same store). */
  serveCounters(counters: CounterStore): void {
    this.#counters = counters;
  }

  /** A forked worker: its messages are served from now on. */
  attach(index: number, pid: number, channel: IpcChannel): void {
    this.detach(index);
    const rpc = new RpcEndpoint<WorkerMethods, PrimaryMethods>({
      channel,
      local: this.#methodsFor(index, pid),
      timeoutMs: RPC_TIMEOUT_MS,
    });
    const unsubscribe = channel.onMessage((message) => {
      if (message.kg === "publish") this.#fromWorker(index, message.change);
      else if (message.kg === "ack") this.#acked(index, message.id);
    });
    this.#workers.set(index, {
      index,
      pid,
      channel,
      rpc,
      unsubscribe,
      startedAt: this.#clock.now(),
      joined: false,
      lastChangeId: null,
      lastAckAt: null,
    });
  }

  /** The worker exited: nothing waits for it any more. */
  detach(index: number): void {
    const worker = this.#workers.get(index);
    if (worker === undefined) return;
    this.#workers.delete(index);
    worker.unsubscribe();
    worker.rpc.close(`worker ${index} exited`);
    for (const tracked of this.#tracked.values()) {
      if (tracked.expected.delete(index)) for (const wake of tracked.waiters) wake();
    }
  }

  /** Workers on the bus now. */
  joinedWorkers(): number {
    let count = 0;
    for (const worker of this.#workers.values()) if (worker.joined) count++;
    return count;
  }

  /** Every attached worker's own exposition; a worker that does not answer in `timeoutMs` is left out. */
  async workerMetrics(timeoutMs: number): Promise<string[]> {
    const answers = await Promise.allSettled(
      [...this.#workers.values()].map((worker) =>
        Promise.race([
          worker.rpc.call("metrics"),
          new Promise<string>((_, reject) => {
            setTimeout(() => reject(new Error("metrics timeout")), timeoutMs).unref();
          }),
        ]),
      ),
    );
    return answers.flatMap((answer) => (answer.status === "fulfilled" ? [answer.value] : []));
  }

  /** Asks every attached worker to drain (stop accepting, finish in flight, exit). */
  async drainAll(): Promise<void> {
    await Promise.allSettled(
      [...this.#workers.values()].map((worker) => worker.channel.send({ kg: "drain" })),
    );
  }

  async publish(change: Change): Promise<void> {
    this.#apply(change);
    this.#track(change, undefined);
    for (const worker of this.#workers.values()) {
      if (worker.joined) worker.channel.send({ kg: "change", change }).catch(() => undefined);
    }
  }

  subscribe(handler: ChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }

  async status(changeId: string): Promise<PropagationStatus | null> {
    const tracked = this.#tracked.get(changeId);
    return tracked === undefined ? null : this.#statusOf(changeId, tracked);
  }

  waitFor(change: Change, timeoutMs: number): Promise<{ status: PropagationStatus; complete: boolean }> {
    const tracked = this.#tracked.get(change.id);
    if (tracked === undefined) {
      const status = { changeId: change.id, nodes: 1 + this.joinedWorkers(), acknowledged: 0 };
      return Promise.resolve({ status, complete: false });
    }
    return new Promise((resolve) => {
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        const status = this.#statusOf(change.id, tracked);
        const complete = status.acknowledged >= status.nodes;
        if (!complete && !timedOut) return;
        clearTimeout(timer);
        tracked.waiters.delete(settle);
        resolve({ status, complete });
      };
      timer = setTimeout(() => {
        timedOut = true;
        settle();
      }, timeoutMs);
      tracked.waiters.add(settle);
      settle();
    });
  }

  /** The primary and every worker on the bus, as `GET /v1/nodes` lists nodes. */
  async liveNodes(): Promise<NodeInfo[]> {
    const now = this.#clock.now();
    const self: NodeInfo = {
      nodeId: this.#options.nodeId,
      role: this.#options.primaryRole,
      host: hostname(),
      pid: process.pid,
      startedAt: this.#startedAt,
      lastHeartbeatAt: now,
      lastChangeId: this.#lastChangeId,
      lastAckAt: this.#lastAckAt,
      busConnected: true,
    };
    const workers = [...this.#workers.values()]
      .filter((worker) => worker.joined)
      .sort((a, b) => a.index - b.index)
      .map(
        (worker): NodeInfo => ({
          nodeId: `${this.#options.nodeId}:w${worker.index}`,
          role: this.#options.workerRole,
          host: hostname(),
          pid: worker.pid,
          startedAt: worker.startedAt,
          lastHeartbeatAt: now,
          lastChangeId: worker.lastChangeId,
          lastAckAt: worker.lastAckAt,
          busConnected: true,
        }),
      );
    return [self, ...workers];
  }

  #methodsFor(index: number, pid: number): PrimaryMethods {
    const counters = () => {
      if (this.#counters === undefined) throw new Error("the primary's counters are not started");
      return this.#counters;
    };
    return {
      join: (self) => {
        const worker = this.#workers.get(index);
        if (worker !== undefined && worker.pid === pid) {
          worker.joined = true;
          worker.startedAt = self.startedAt;
        }
        return null;
      },
      take: (draws) => counters().take(draws),
      release: (releases) => counters().release(releases),
      add: (adds) => counters().add(adds),
      read: (keys) => counters().read(keys),
      ping: () => counters().ping(),
      changeStatus: (changeId) => this.status(changeId),
      waitForChange: (change, options) => this.waitFor(change, options.timeoutMs),
      liveNodes: () => this.liveNodes(),
    };
  }

  /** A worker published (and applied) `change`: apply it here, send it to the others. */
  #fromWorker(origin: number, change: Change): void {
    this.#apply(change);
    this.#track(change, origin);
    const worker = this.#workers.get(origin);
    if (worker !== undefined) {
      worker.lastChangeId = change.id;
      worker.lastAckAt = this.#clock.now();
    }
    for (const other of this.#workers.values()) {
      if (other.joined && other.index !== origin)
        other.channel.send({ kg: "change", change }).catch(() => undefined);
    }
  }

  #acked(index: number, changeId: string): void {
    const worker = this.#workers.get(index);
    if (worker !== undefined) {
      worker.lastChangeId = changeId;
      worker.lastAckAt = this.#clock.now();
    }
    const tracked = this.#tracked.get(changeId);
    if (tracked === undefined) return;
    tracked.acked.add(index);
    for (const wake of tracked.waiters) wake();
  }

  #apply(change: Change): void {
    for (const handler of this.#handlers) handler(change);
    this.#lastChangeId = change.id;
    this.#lastAckAt = this.#clock.now();
  }

  #track(change: Change, origin: number | undefined): void {
    const expected = new Set<number>();
    for (const worker of this.#workers.values()) if (worker.joined) expected.add(worker.index);
    const acked = new Set<number>(origin === undefined ? [] : [origin]);
    this.#tracked.set(change.id, { expected, acked, waiters: new Set() });
    if (this.#tracked.size > RETAINED_CHANGES) {
      const oldest = this.#tracked.keys().next();
      if (!oldest.done) this.#tracked.delete(oldest.value);
    }
  }

  /** The primary plus the workers still expected; acknowledged counts the primary (it applied at publish). */
  #statusOf(changeId: string, tracked: Tracked): PropagationStatus {
    let acknowledged = 1;
    for (const index of tracked.expected) if (tracked.acked.has(index)) acknowledged++;
    return { changeId, nodes: 1 + tracked.expected.size, acknowledged };
  }
}
