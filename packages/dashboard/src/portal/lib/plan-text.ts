import { formatNumber } from "../../lib/format.ts";
import type { QuotaPolicy, RateLimitPolicy } from "../api/portal-types.ts";

/** `1 request`, `600 requests`, `5,000 requests`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : plural}`;
}

const UNITS = [
  { seconds: 86_400, name: "day" },
  { seconds: 3_600, name: "hour" },
  { seconds: 60, name: "minute" },
  { seconds: 1, name: "second" },
] as const;

/** A window in words: `minute`, `hour`, `5 minutes`, `90 seconds`. */
export function describeWindow(seconds: number): string {
  for (const unit of UNITS) {
    if (seconds % unit.seconds !== 0) continue;
    const count = seconds / unit.seconds;
    return count === 1 ? unit.name : countOf(count, unit.name);
  }
  return countOf(seconds, "second");
}

/** `600 requests per minute`, `1 request per minute`. */
export function describeRateLimit(rateLimit: RateLimitPolicy): string {
  return `${countOf(rateLimit.limit, "request")} per ${describeWindow(rateLimit.windowSeconds)}`;
}

/** `5,000 requests per month`. */
export function describeQuota(quota: QuotaPolicy): string {
  return `${countOf(quota.limit, "request")} per ${quota.period}`;
}
