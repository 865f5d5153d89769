/**
 * `1 request`, `600 requests`, `5,000 requests`: a count and the noun in the
 * number it takes. English only; `pluralForm` for nouns without a plain -s.
 * Counts are grouped with commas (en-US), as everywhere in the CLI and demo.
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : pluralForm}`;
}

const WINDOW_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "second"],
  [60, "minute"],
  [3600, "hour"],
  [86_400, "day"],
]);

/** A rate-limit window in words: `minute`, `hour`, `90 seconds`. */
export function windowInWords(seconds: number): string {
  return WINDOW_NAMES.get(seconds) ?? plural(seconds, "second");
}
