import type { EventType, KeyStatus, OutboxEventInput, RotationState } from "./model.ts";
import type { Page } from "./page.ts";

export interface EventFilter extends Page {
  /** Only events of these types. */
  readonly types: readonly EventType[];
}

/**
 * The counts and the event log an operator's overview reads (`GET /v1/stats`,
 * `GET /v1/alerts`). Implemented by the same classes as `KeyStore`.
 */
export interface OverviewStore {
  /**
   * Keys by the status a reader sees at `now`: a stored `active` or
   * `deprecated` key past its `expiresAt` or `sunsetAt` counts as `expired`.
   * Every status is present (0 when none).
   */
  countKeysByStatus(now: number): Promise<Record<KeyStatus, number>>;
  countConsumers(): Promise<number>;
  countRotations(state: RotationState): Promise<number>;
  /**
   * Outbox events of the given types whose id sorts after `after`, ascending
   * by id, delivered or not: the log of what happened, not the delivery queue.
   */
  listEvents(filter: EventFilter): Promise<OutboxEventInput[]>;
}
