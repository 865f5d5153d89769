import { z } from "zod";
import { pageOf, rotationViewSchema } from "./view-schemas.ts";

/** Answers of the usage, stats and alerts endpoints (docs: api-additions "Usage and traffic", "Alerts and events"). */

const isoTime = z.iso.datetime();
const count = z.int().min(0);

export const keyUsageViewSchema = z.strictObject({
  keyId: z.string(),
  granularity: z.enum(["minute", "hour", "day"]),
  from: isoTime,
  to: isoTime,
  /** One point per bucket of [from, to), empty buckets included with total 0. */
  series: z.array(z.strictObject({ at: isoTime, total: count, outcomes: z.record(z.string(), count) })),
});

const keyTrafficSchema = z.strictObject({
  keyId: z.string(),
  lastUsedAt: isoTime.nullable(),
  requestsLast15m: count,
  /** The last 30 minutes, the running one last, empty minutes included. */
  perMinute: z.array(z.strictObject({ at: isoTime, total: count })),
});

export const rotationTrafficSchema = z.strictObject({
  old: keyTrafficSchema,
  new: keyTrafficSchema,
  /** Share of the two keys' requests on the new key over the last 15 minutes; null without requests. */
  progress: z.number().min(0).max(1).nullable(),
});

/** `GET /v1/rotations/{id}`: the rotation with the traffic on its two keys. */
export const rotationDetailViewSchema = rotationViewSchema.extend({ traffic: rotationTrafficSchema });

export const statsViewSchema = z.strictObject({
  keys: z.strictObject({ active: count, deprecated: count, expired: count, revoked: count }),
  consumers: count,
  rotationsInProgress: count,
  requestsPerMinute: z.array(z.strictObject({ at: isoTime, total: count, valid: count, failed: count })),
});

export const alertViewSchema = z.strictObject({
  id: z.string(),
  type: z.string(),
  at: isoTime,
  data: z.record(z.string(), z.unknown()),
});

export const alertPageSchema = pageOf(alertViewSchema);

export type KeyUsageView = z.infer<typeof keyUsageViewSchema>;
export type RotationTrafficView = z.infer<typeof rotationTrafficSchema>;
export type StatsView = z.infer<typeof statsViewSchema>;
export type AlertView = z.infer<typeof alertViewSchema>;
