import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { isoDateTime, keyIdParams } from "../../admin/schemas.ts";
import { ownKey, ownKeys } from "../../services/portal-keys.ts";
import { analyticsStoreOf } from "../../usage/analytics-store-of.ts";
import {
  BUCKET_MS,
  ceilTo,
  continuousSeries,
  floorTo,
  type Granularity,
  lastBuckets,
  MAX_BUCKETS,
} from "../../usage/usage-series.ts";
import { consumerUsageState } from "../consumer-usage.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { quotaStateSchema, rateLimitStateSchema, seriesSchema } from "../portal-view-schemas.ts";

const DEFAULT_BUCKETS = 60;
const usageQuery = z.strictObject({
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  granularity: z.enum(["minute", "hour", "day"]).optional(),
});
const iso = (ms: number) => new Date(ms).toISOString();

/** The bucket-aligned range of a usage query (the admin API's rule): the last 60 buckets by default. */
function rangeOf(query: z.output<typeof usageQuery>, now: number) {
  const granularity: Granularity = query.granularity ?? "minute";
  const bucketMs = BUCKET_MS[granularity];
  const to = query.to === undefined ? lastBuckets(now, 1, bucketMs).to : ceilTo(query.to, bucketMs);
  const from = query.from === undefined ? to - DEFAULT_BUCKETS * bucketMs : floorTo(query.from, bucketMs);
  if (!(from < to)) {
    throw new KeygateError("VALIDATION_FAILED", "from must lie before to", [
      { path: "/query/from", message: "must lie before to" },
    ]);
  }
  if ((to - from) / bucketMs > MAX_BUCKETS) {
    throw new KeygateError("VALIDATION_FAILED", `at most ${MAX_BUCKETS} buckets per answer`, [
      { path: "/query/from", message: `the range holds more than ${MAX_BUCKETS} ${granularity}s` },
    ]);
  }
  return { granularity, range: { from, to, bucketMs } };
}

export const usageRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/usage",
  access: "session",
  operationId: "getOwnUsage",
  summary: "Requests of all your keys by outcome, and your rate limit and quota right now",
  tag: "usage",
  query: usageQuery,
  responses: {
    200: {
      description: "Your usage",
      schema: z.strictObject({
        granularity: z.enum(["minute", "hour", "day"]),
        from: z.iso.datetime(),
        to: z.iso.datetime(),
        series: seriesSchema,
        rateLimit: rateLimitStateSchema.nullable(),
        quota: quotaStateSchema.nullable(),
      }),
    },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { deps } = call.ctx;
    const { granularity, range } = rangeOf(call.query, deps.clock.now());
    const keys = await ownKeys(deps, consumer);
    const sums = await analyticsStoreOf(deps.store).keyUsage(
      keys.map((k) => k.id),
      range,
    );
    const series = continuousSeries(sums, range).map((p) => ({ ...p, at: iso(p.at) }));
    const limits = await consumerUsageState(call.ctx, consumer);
    return {
      status: 200,
      body: { granularity, from: iso(range.from), to: iso(range.to), series, ...limits },
    };
  },
});

export const keyUsageRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/keys/:id/usage",
  access: "session",
  operationId: "getOwnKeyUsage",
  summary: "One of your keys' requests by outcome",
  tag: "usage",
  params: keyIdParams,
  query: usageQuery,
  errors: ["NOT_FOUND"],
  responses: {
    200: {
      description: "The key's usage",
      schema: z.strictObject({
        keyId: z.string(),
        granularity: z.enum(["minute", "hour", "day"]),
        from: z.iso.datetime(),
        to: z.iso.datetime(),
        series: seriesSchema,
      }),
    },
  },
  async handler(call) {
    const { consumer } = signedIn(call);
    const { deps } = call.ctx;
    const key = await ownKey(deps, consumer, call.params.id);
    const { granularity, range } = rangeOf(call.query, deps.clock.now());
    const sums = await analyticsStoreOf(deps.store).keyUsage([key.id], range);
    const series = continuousSeries(sums, range).map((p) => ({ ...p, at: iso(p.at) }));
    return {
      status: 200,
      body: { keyId: key.id, granularity, from: iso(range.from), to: iso(range.to), series },
    };
  },
});
