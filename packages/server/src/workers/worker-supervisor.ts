import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { WorkerHub } from "./worker-hub.ts";
import { processChannel } from "./worker-messages.ts";

/** The env var a forked worker reads its index (1…n) from. */
export const WORKER_INDEX_ENV = "KEYGATE_WORKER_INDEX";

/** A worker that dies sooner than this after its start is restarted after a growing pause (crash loop). */
const STABLE_AFTER_MS = 5_000;
const MAX_RESTART_DELAY_MS = 5_000;
/** How long the first start of all workers may take (tsx compiles the sources once per process). */
const START_TIMEOUT_MS = 60_000;

export interface WorkerSupervisorOptions {
  /** How many workers to keep running. */
  readonly count: number;
  readonly hub: WorkerHub;
  readonly logger: Logger;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  /** The worker has opened its ports (reported `ready`) and not exited since. */
  ready: boolean;
  startedAt: number;
  /** Restarts in a row of a worker that did not live `STABLE_AFTER_MS`. */
  crashStreak: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/**
 * Keeps `count` workers running under node:cluster: forks them (each
 * `attach`ed to the hub before its first message), restarts one that exits
 * while the node runs (a crash loses only that worker's requests in flight;
 * pauses grow while it keeps dying at start), and on `drain` asks each to
 * finish what it has and exit, killing what is left after the grace period.
 */
export class WorkerSupervisor {
  readonly #options: WorkerSupervisorOptions;
  readonly #slots: Slot[];
  readonly #exited = new Set<() => void>();
  #restarts = 0;
  #stopping = false;

  constructor(options: WorkerSupervisorOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: options.count }, (_, i) => ({
      index: i + 1,
      worker: undefined,
      ready: false,
      startedAt: 0,
      crashStreak: 0,
      restartTimer: undefined,
    }));
  }

  /** Forks every worker; resolves once each has opened its ports, rejects if one exits before that. */
  async start(): Promise<void> {
    const ready = this.#slots.map((slot) => this.#fork(slot));
    const timeout = new Promise<never>((_, reject) => {
      setTimeout(
        () => reject(new Error(`workers not ready within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      ).unref();
    });
    await Promise.race([Promise.all(ready), timeout]);
  }

  /** Workers running now (forked and not exited). */
  live(): number {
    return this.#slots.filter((slot) => slot.worker !== undefined).length;
  }

  /** Prometheus lines of the supervisor (added to the node's aggregated `/metrics`). */
  metricsText(): string {
    return [
      "# HELP keygate_workers Worker processes: configured, running (forked, not exited), ready (serving the gateway and forward-auth ports).",
      "# TYPE keygate_workers gauge",
      `keygate_workers{state="configured"} ${this.#options.count}`,
      `keygate_workers{state="running"} ${this.live()}`,
      `keygate_workers{state="ready"} ${this.#slots.filter((slot) => slot.ready).length}`,
      "# HELP keygate_worker_restarts_total Workers restarted after exiting while the node ran (crash, kill, own signal).",
      "# TYPE keygate_worker_restarts_total counter",
      `keygate_worker_restarts_total ${this.#restarts}`,
      "",
    ].join("\n");
  }

  /**
   * Stops restarting, asks every worker to drain (stop accepting, finish in
   * flight, hand leases back, exit) and resolves when all have exited;
   * whatever still runs after `graceMs` is killed.
   */
  async drain(graceMs: number): Promise<void> {
    this.#stopping = true;
    for (const slot of this.#slots) clearTimeout(slot.restartTimer);
    if (this.live() === 0) return;
    const allExited = new Promise<void>((resolve) => {
      const check = () => {
        if (this.live() > 0) return;
        this.#exited.delete(check);
        resolve();
      };
      this.#exited.add(check);
    });
    await this.#options.hub.drainAll();
    const grace = setTimeout(() => {
      for (const slot of this.#slots) {
        if (slot.worker === undefined) continue;
        this.#options.logger.warn(
          { worker: slot.index },
          "worker still draining after the grace period: killed",
        );
        slot.worker.process.kill("SIGKILL");
      }
    }, graceMs);
    grace.unref();
    await allExited;
    clearTimeout(grace);
  }

  /** Forks the slot's worker; resolves when it reports ready, rejects if it exits first. */
  #fork(slot: Slot): Promise<void> {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(slot.index) });
    const pid = worker.process.pid;
    if (pid === undefined) return Promise.reject(new Error(`worker ${slot.index} did not start`));
    slot.worker = worker;
    slot.startedAt = Date.now();
    const channel = processChannel(worker);
    this.#options.hub.attach(slot.index, pid, channel);
    return new Promise<void>((resolve, reject) => {
      let isReady = false;
      const unsubscribe = channel.onMessage((message) => {
        if (message.kg !== "ready") return;
        isReady = true;
        slot.ready = true;
        unsubscribe();
        this.#options.logger.info({ worker: slot.index, pid }, "worker ready");
        resolve();
      });
      worker.once("exit", (code, signal) => {
        unsubscribe();
        this.#exit(slot, worker, code, signal);
        if (!isReady)
          reject(new Error(`worker ${slot.index} exited before it was ready (code ${code}, ${signal})`));
      });
    });
  }

  #exit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.ready = false;
    this.#options.hub.detach(slot.index);
    for (const check of [...this.#exited]) check();
    if (this.#stopping) return;
    const lived = Date.now() - slot.startedAt;
    slot.crashStreak = lived < STABLE_AFTER_MS ? slot.crashStreak + 1 : 0;
    const delay =
      slot.crashStreak === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (slot.crashStreak - 1));
    this.#restarts++;
    this.#options.logger.warn(
      { worker: slot.index, pid: worker.process.pid, code, signal, restartInMs: delay },
      "worker exited; restarting it",
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.#stopping) return;
      this.#fork(slot).catch((error: unknown) =>
        this.#options.logger.error(
          { worker: slot.index, err: error instanceof Error ? error.message : String(error) },
          "restarted worker failed to start",
        ),
      );
    }, delay);
  }
}
