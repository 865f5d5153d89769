/**
 * Limits count in fixed windows (rate windows aligned to the epoch, quota
 * periods on UTC days and months). A test that must stay inside one window
 * waits out a boundary that is closer than `marginMs`.
 */
export async function awayFromBoundary(
  windowEnd: (now: number) => number,
  marginMs = 120_000,
): Promise<void> {
  const left = windowEnd(Date.now()) - Date.now();
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 1000));
}

/** End of the fixed window of `seconds` holding `now`. */
export const windowEnd = (seconds: number) => (now: number) =>
  (Math.floor(now / (seconds * 1000)) + 1) * seconds * 1000;

/** End of the UTC month holding `now`. */
export const monthEnd = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};
