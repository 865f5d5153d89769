/**
 * The one error catalogue. Codes are UPPER_SNAKE, part of the public contract,
 * and never change meaning. `docs/errors.md` lists every one; a test keeps the
 * two in sync.
 */
export const errorCatalogue = {
  KEY_MISSING: { status: 401, title: "API key missing" },
  KEY_MALFORMED: { status: 401, title: "API key malformed" },
  KEY_NOT_FOUND: { status: 401, title: "API key not found" },
  KEY_EXPIRED: { status: 401, title: "API key expired" },
  KEY_REVOKED: { status: 401, title: "API key revoked" },
  CONSUMER_DISABLED: { status: 403, title: "Consumer disabled" },
  IP_NOT_ALLOWED: { status: 403, title: "Client address not allowed" },
  SCOPE_DENIED: { status: 403, title: "Scope denied" },
  RATE_LIMITED: { status: 429, title: "Rate limit exceeded" },
  QUOTA_EXCEEDED: { status: 429, title: "Quota exceeded" },
  VALIDATION_FAILED: { status: 400, title: "Validation failed" },
  UNAUTHENTICATED: { status: 401, title: "Authentication required" },
  FORBIDDEN: { status: 403, title: "Forbidden" },
  NOT_FOUND: { status: 404, title: "Not found" },
  CONFLICT: { status: 409, title: "Conflict" },
  KEY_LIMIT_REACHED: { status: 409, title: "Key limit reached" },
  CSRF_FAILED: { status: 403, title: "CSRF check failed" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  STORE_UNAVAILABLE: { status: 503, title: "Store unavailable" },
  UPSTREAM_UNAVAILABLE: { status: 502, title: "Upstream unavailable" },
  INTERNAL: { status: 500, title: "Internal server error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The codes a key verification can end with when it is not valid. */
export type VerifyFailureCode =
  | "KEY_MISSING"
  | "KEY_MALFORMED"
  | "KEY_NOT_FOUND"
  | "KEY_EXPIRED"
  | "KEY_REVOKED"
  | "CONSUMER_DISABLED"
  | "IP_NOT_ALLOWED"
  | "SCOPE_DENIED"
  | "RATE_LIMITED"
  | "QUOTA_EXCEEDED"
  | "STORE_UNAVAILABLE";

/** One field-level validation problem, as listed in a problem's `errors[]`. */
export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/body/overlapSeconds`. */
  readonly path: string;
  readonly message: string;
}

/**
 * An expected, catalogued failure. Services throw it; `http/problem.ts` is the
 * only place that turns it into HTTP. `detail` must never contain a secret.
 */
export class KeygateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;

  constructor(code: ErrorCode, detail: string, errors?: readonly FieldError[]) {
    super(`${code}: ${detail}`);
    this.name = "KeygateError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = detail;
    this.errors = errors;
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}
