/** One waiter's view of acknowledgements of one change. */
export interface AckWatch {
  /**
   * Resolves at the next acknowledgement of the change (at once if one came
   * since the previous call), or after `ms`.
   */
  next(ms: number): Promise<void>;
  dispose(): void;
}

/**
 * Wakes `waitFor` callers when a node acknowledges their change. Fed by the
 * acks pub/sub channel (and by this node's own acks directly); a wake-up is
 * only a hint to re-read the state from Redis, so a lost message costs at
 * most one re-check interval.
 */
export class AckWatchers {
  readonly #byChange = new Map<string, Set<Watch>>();

  watch(changeId: string): AckWatch {
    const watch = new Watch(() => {
      const set = this.#byChange.get(changeId);
      set?.delete(watch);
      if (set?.size === 0) this.#byChange.delete(changeId);
    });
    let set = this.#byChange.get(changeId);
    if (set === undefined) {
      set = new Set();
      this.#byChange.set(changeId, set);
    }
    set.add(watch);
    return watch;
  }

  notify(changeId: string): void {
    const set = this.#byChange.get(changeId);
    if (set === undefined) return;
    for (const watch of set) watch.wake();
  }

  /** Wakes every waiter (used at close, so none sleeps out its timeout). */
  wakeAll(): void {
    for (const set of this.#byChange.values()) for (const watch of set) watch.wake();
  }
}

class Watch implements AckWatch {
  readonly #onDispose: () => void;
  #pending = false;
  #wake: (() => void) | undefined;

  constructor(onDispose: () => void) {
    this.#onDispose = onDispose;
  }

  wake(): void {
    if (this.#wake === undefined) {
      this.#pending = true;
      return;
    }
    this.#wake();
  }

  next(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  dispose(): void {
    this.#wake?.();
    this.#onDispose();
  }
}
