/** Events a `KeygateClient` emits. Payloads carry hints, never secrets. */
export interface KeygateClientEvents {
  /**
   * The client switched keys. `source: "self"` — it self-rotated and saved the
   * successor; `"store"` — it found a different key in its store (another
   * process rotated, or an operator or secrets manager wrote one).
   */
  rotated: { oldHint: string; newHint: string; source: "self" | "store" };
  /**
   * The key in use is deprecated and the client will not replace it by itself
   * (autoRotate off, a read-only store, or a `409` because it is not the newest
   * of its lineage). Emitted once per key. Rotate before `sunsetAt`.
   */
  deprecated: { hint: string; sunsetAt: Date | null; deprecatedAt: Date | null };
  /** Something failed in the background (self-rotation, a store read). Requests themselves reject normally. */
  error: { error: Error };
}

export type KeygateClientEventName = keyof KeygateClientEvents;
export type KeygateClientListener<E extends KeygateClientEventName> = (event: KeygateClientEvents[E]) => void;

/** A minimal typed emitter: listeners run synchronously, and one that throws cannot break the client. */
export class ClientEmitter {
  private readonly listeners: { [E in KeygateClientEventName]: Set<KeygateClientListener<E>> } = {
    rotated: new Set(),
    deprecated: new Set(),
    error: new Set(),
  };

  on<E extends KeygateClientEventName>(name: E, listener: KeygateClientListener<E>): void {
    this.listeners[name].add(listener);
  }

  off<E extends KeygateClientEventName>(name: E, listener: KeygateClientListener<E>): void {
    this.listeners[name].delete(listener);
  }

  emit<E extends KeygateClientEventName>(name: E, event: KeygateClientEvents[E]): void {
    for (const listener of [...this.listeners[name]]) {
      try {
        listener(event);
      } catch (error) {
        if (name !== "error") this.emit("error", { error: toError(error) });
      }
    }
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
