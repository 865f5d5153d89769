/** Display formats, in the browser's locale; times are always shown with a machine-readable <time>. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const clockSeconds = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const number = new Intl.NumberFormat();

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatClock(iso: string): string {
  return clock.format(new Date(iso));
}

export function formatTime(ms: number): string {
  return clockSeconds.format(new Date(ms));
}

export function formatNumber(value: number): string {
  return number.format(value);
}

/**
 * `1 request`, `600 requests`, `1,000 keys`: a count in the browser's locale
 * and the noun in the number it takes (English: singular for exactly one).
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralForm}`;
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** `2 d 3 h`, `4 h 05 m`, `12 m 30 s`, `10 m`, `45 s`: the two largest units, a zero second one left out. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string, padded: boolean) =>
    small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${padded ? pad(small) : small} ${smallUnit}`;
  if (days > 0) return pair(days, "d", hours, "h", false);
  if (hours > 0) return pair(hours, "h", minutes, "m", true);
  if (minutes > 0) return pair(minutes, "m", seconds, "s", true);
  return `${seconds} s`;
}

/** `3 m ago`, `in 2 h`, `just now`. */
export function formatRelative(iso: string, now: number): string {
  const delta = Date.parse(iso) - now;
  if (Math.abs(delta) < 5_000) return "just now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** `3600` → `1 h`, `90` → `1 m 30 s`. */
export function formatSeconds(seconds: number): string {
  return formatDuration(seconds * 1000);
}

/** A period of a plan in words. */
export function formatWindow(seconds: number): string {
  if (seconds === 1) return "second";
  if (seconds === 60) return "minute";
  if (seconds === 3600) return "hour";
  if (seconds === 86_400) return "day";
  return formatSeconds(seconds);
}
