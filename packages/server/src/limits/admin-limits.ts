import type { LimitVerdict } from "@keygate/core";
import type { ConsumerUsage } from "./limiter.ts";

/**
 * What the admin port needs from the node's limiter (`POST /v1/verify`,
 * `GET /v1/consumers/{id}/usage`): the same `Limiter` the gateway uses.
 */
export interface AdminLimits {
  /** Charges `cost` to the consumer's limits, or refuses (see `Limiter.decide`). */
  decide(
    consumerId: string | undefined,
    planName: string | null | undefined,
    cost: number,
    now: number,
  ): LimitVerdict | Promise<LimitVerdict>;
  usage(consumerId: string, planName: string | null, now: number): Promise<ConsumerUsage>;
}
