const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) for a `YYYY-MM-DD` string, or `null` if it is not a real calendar date. */
export function parseDay(value: string): number | null {
  const match = DATE_PATTERN.exec(value);
  if (!match) return null;
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  // Date.UTC rolls 2024-02-30 over to March; a round trip rejects it.
  return formatDay(ms / DAY_MS) === value ? ms / DAY_MS : null;
}

/** `YYYY-MM-DD` for a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC day number containing `date`. */
export function dayOf(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}
