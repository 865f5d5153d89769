import type { Consumer, KeyRecord } from "./model.ts";
import type { Page } from "./page.ts";

/** Reads of the rotation-policy job. Implemented by the same classes as `KeyStore`. */
export interface PolicyStore {
  /** Consumers whose `rotationPolicy` is set (not null), ascending by id. */
  listConsumersWithPolicy(page: Page): Promise<Consumer[]>;
  /**
   * Keys stored `active` whose `sunsetAt` is set and at or before `now` (due
   * keys nobody rotated in time), ascending by id, at most `limit`.
   */
  listActiveKeysPastSunset(now: number, limit: number): Promise<KeyRecord[]>;
}
