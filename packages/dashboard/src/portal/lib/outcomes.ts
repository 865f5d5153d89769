import type { UsagePoint } from "../api/portal-types.ts";

/** Outcome codes in words (DESIGN.md error codes); an unknown code is shown as it is. */
const LABELS: Readonly<Record<string, string>> = {
  VALID: "Allowed",
  RATE_LIMITED: "Rate limited",
  QUOTA_EXCEEDED: "Quota exceeded",
  SCOPE_DENIED: "Scope denied",
  KEY_EXPIRED: "Key expired",
  KEY_REVOKED: "Key revoked",
  KEY_NOT_FOUND: "Unknown key",
  KEY_MALFORMED: "Malformed key",
  KEY_MISSING: "No key",
  IP_NOT_ALLOWED: "IP not allowed",
  CONSUMER_DISABLED: "Account disabled",
};

/**
 * Series colours: blue for allowed, then hues that stay apart for the common
 * colour-vision deficiencies; the legend, caption and totals table name each
 * outcome too, so colour never carries meaning alone.
 */
const COLORS: Readonly<Record<string, string>> = {
  VALID: "#1d4ed8",
  RATE_LIMITED: "#c2410c",
  QUOTA_EXCEEDED: "#7e22ce",
  SCOPE_DENIED: "#be123c",
  KEY_EXPIRED: "#475569",
  KEY_REVOKED: "#0f766e",
  IP_NOT_ALLOWED: "#a16207",
};
const SPARE = ["#0e7490", "#4d7c0f", "#9d174d", "#334155"];

export function outcomeLabel(code: string): string {
  return LABELS[code] ?? code;
}

export function outcomeColor(code: string, index: number): string {
  return COLORS[code] ?? SPARE[index % SPARE.length] ?? "#334155";
}

/** Requests per outcome over a series, allowed first, then by count. */
export function outcomeTotals(series: readonly UsagePoint[]): { code: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const point of series)
    for (const [code, count] of Object.entries(point.outcomes))
      totals.set(code, (totals.get(code) ?? 0) + count);
  return [...totals]
    .map(([code, count]) => ({ code, count }))
    .filter(({ count }) => count > 0)
    .sort((a, b) => Number(b.code === "VALID") - Number(a.code === "VALID") || b.count - a.count);
}
