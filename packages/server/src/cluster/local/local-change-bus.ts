import type { Change, ChangeBus, ChangeHandler } from "@keygate/core";
import type { PropagationStatus, PropagationTracker } from "../propagation.ts";

const RETAINED_CHANGES = 10_000;

/**
 * The change bus of a single node: every subscriber is in this process, so a
 * change is applied synchronously inside `publish`, and acknowledged by the
 * time the admin response is written.
 */
export class LocalChangeBus implements ChangeBus, PropagationTracker {
  readonly #handlers = new Set<ChangeHandler>();
  readonly #applied = new Map<string, number>();

  async publish(change: Change): Promise<void> {
    for (const handler of this.#handlers) handler(change);
    this.#applied.set(change.id, this.#handlers.size > 0 ? 1 : 0);
    if (this.#applied.size > RETAINED_CHANGES) {
      const oldest = this.#applied.keys().next();
      if (!oldest.done) this.#applied.delete(oldest.value);
    }
  }

  subscribe(handler: ChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  async status(changeId: string): Promise<PropagationStatus | null> {
    const acknowledged = this.#applied.get(changeId);
    return acknowledged === undefined ? null : { changeId, nodes: 1, acknowledged };
  }

  async waitFor(change: Change): Promise<{ status: PropagationStatus; complete: boolean }> {
    const status = (await this.status(change.id)) ?? { changeId: change.id, nodes: 1, acknowledged: 0 };
    return { status, complete: status.acknowledged >= status.nodes };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
