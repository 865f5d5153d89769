import type { Change } from "@keygate/core";

/**
 * Changes committed to the database that could not be handed to Redis yet,
 * oldest first. Bounded: when full, the two oldest changes merge into one
 * drop-everything change under the younger one's id. Order is kept and no
 * invalidation is lost (over-invalidating only costs cache misses); only the
 * older change's id is never seen on the bus, so a wait on it times out.
 */
export class PublishQueue {
  readonly #items: Change[] = [];
  readonly #capacity: number;
  #merged = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error("PublishQueue capacity must be ≥ 2");
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Changes folded into a drop-everything change since the queue was created. */
  get merged(): number {
    return this.#merged;
  }

  has(changeId: string): boolean {
    return this.#items.some((item) => item.id === changeId);
  }

  push(change: Change): void {
    this.#items.push(change);
    if (this.#items.length <= this.#capacity) return;
    const oldest = this.#items.shift();
    const next = this.#items[0];
    if (oldest === undefined || next === undefined) return;
    this.#items[0] = { id: next.id, at: next.at, keyIds: [], consumerIds: [], hashes: [], all: true };
    this.#merged++;
  }

  peek(): Change | undefined {
    return this.#items[0];
  }

  /** Removes the head once it has been delivered. */
  shift(): void {
    this.#items.shift();
  }
}
