/** What a response said about the key that made it (RFC 9745 `Deprecation`, RFC 8594 `Sunset`). */
export interface DeprecationSignal {
  /** When the key is (or will be) deprecated; `null` if the header was absent or unreadable. */
  readonly deprecatedAt: Date | null;
  /** When the key stops working; `null` if the header was absent or unreadable. */
  readonly sunsetAt: Date | null;
}

/** Reads the two headers; `null` when the response carries neither. */
export function readDeprecationSignal(headers: Headers): DeprecationSignal | null {
  const deprecation = headers.get("deprecation");
  const sunset = headers.get("sunset");
  if (deprecation === null && sunset === null) return null;
  return { deprecatedAt: parseDeprecation(deprecation), sunsetAt: parseHttpDate(sunset) };
}

/** RFC 9745: a structured-field date, `@<unix seconds>`. */
function parseDeprecation(value: string | null): Date | null {
  const match = value === null ? null : /^@(-?\d+)$/.exec(value.trim());
  return match ? new Date(Number(match[1]) * 1000) : null;
}

function parseHttpDate(value: string | null): Date | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}
