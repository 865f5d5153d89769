import type { QueryValue } from "../../api/api-client.ts";
import type { Granularity } from "../api/portal-types.ts";

export type UsageRange = "hour" | "day";

export interface UsageRangeInfo {
  readonly label: string;
  /** Completes "12 requests …". */
  readonly period: string;
  readonly granularity: Granularity;
  /** The API's query; its buckets end with the current one. */
  query(now: number): Readonly<Record<string, QueryValue>>;
}

const HOUR_MS = 3_600_000;

export const USAGE_RANGES: Readonly<Record<UsageRange, UsageRangeInfo>> = {
  // The API's default range: the last 60 minutes.
  hour: {
    label: "Last 60 minutes",
    period: "in the last 60 minutes",
    granularity: "minute",
    query: () => ({ granularity: "minute" }),
  },
  // 24 hourly buckets: the 23 full hours before this one, and this one.
  day: {
    label: "Last 24 hours",
    period: "in the last 24 hours",
    granularity: "hour",
    query: (now) => ({ granularity: "hour", from: new Date(now - 23 * HOUR_MS).toISOString() }),
  },
};
