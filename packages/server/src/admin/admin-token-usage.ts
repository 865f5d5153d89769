import type { OperatorStore } from "@keygate/core";

export interface AdminTokenUsageOptions {
  readonly store: Pick<OperatorStore, "recordAdminTokenUsage">;
  /** How often the newest use of each token is written. Default 1000 ms. */
  readonly flushIntervalMs?: number | undefined;
}

/**
 * Records admin tokens' last use off the request path, like key usage: a
 * request only sets a map entry; an unref'd timer writes the newest time of
 * each token used since the last flush in one batch. A failed flush keeps
 * its entries for the next one (the store only moves times forward). A crash
 * loses at most one interval of last-use times, which are advisory.
 */
export class AdminTokenUsage {
  readonly #store: Pick<OperatorStore, "recordAdminTokenUsage">;
  #pending = new Map<string, number>();
  #flushing: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(options: AdminTokenUsageOptions) {
    this.#store = options.store;
    this.#timer = setInterval(() => {
      void this.flush();
    }, options.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Notes that token `id` authenticated a request at `at`. */
  touch(id: string, at: number): void {
    const previous = this.#pending.get(id);
    if (previous === undefined || previous < at) this.#pending.set(id, at);
  }

  /** Writes what is pending; resolves when written (or failed and kept for the next flush). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0) return;
      const batch = this.#pending;
      this.#pending = new Map();
      try {
        await this.#store.recordAdminTokenUsage([...batch].map(([id, lastUsedAt]) => ({ id, lastUsedAt })));
      } catch {
        for (const [id, at] of batch) this.touch(id, at);
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
