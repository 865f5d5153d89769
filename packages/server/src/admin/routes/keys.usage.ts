import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { getKeyOrThrow } from "../../services/rotate-key.ts";
import { analyticsStoreOf } from "../../usage/analytics-store-of.ts";
import {
  BUCKET_MS,
  ceilTo,
  continuousSeries,
  floorTo,
  lastBuckets,
  MAX_BUCKETS,
} from "../../usage/usage-series.ts";
import { keyUsageViewSchema } from "../analytics-view-schemas.ts";
import { keyUsageView } from "../analytics-views.ts";
import { defineRoute } from "../route-kit.ts";
import { isoDateTime, keyIdParams } from "../schemas.ts";

const DEFAULT_BUCKETS = 60;

export const keyUsageRoute = defineRoute({
  method: "GET",
  url: "/v1/keys/:id/usage",
  access: "viewer",
  operationId: "getKeyUsage",
  summary:
    "A key's requests per minute, hour or day, by outcome (a continuous series, empty buckets included)",
  tag: "keys",
  params: keyIdParams,
  query: z.strictObject({
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    granularity: z.enum(["minute", "hour", "day"]).optional(),
  }),
  errors: ["NOT_FOUND"],
  responses: { 200: { description: "The usage series", schema: keyUsageViewSchema } },
  async handler({ params, query, ctx }) {
    const granularity = query.granularity ?? "minute";
    const bucketMs = BUCKET_MS[granularity];
    const now = ctx.deps.clock.now();
    // Bucket-aligned: `from` down, `to` up. Without them: the last 60 buckets, the running one included.
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
    const key = await getKeyOrThrow(ctx.deps, params.id);
    const range = { from, to, bucketMs };
    const sums = await analyticsStoreOf(ctx.deps.store).keyUsage([key.id], range);
    return { status: 200, body: keyUsageView(key.id, granularity, from, to, continuousSeries(sums, range)) };
  },
});
