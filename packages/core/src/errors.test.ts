import { describe, expect, it } from "vitest";
import {
  type ErrorCode,
  errorCatalogue,
  isErrorCode,
  KeygateError,
  type VerifyFailureCode,
} from "./errors.ts";

/** The codes and statuses DESIGN.md fixes as public contract. */
const CONTRACT: Record<string, number> = {
  KEY_MISSING: 401,
  KEY_MALFORMED: 401,
  KEY_NOT_FOUND: 401,
  KEY_EXPIRED: 401,
  KEY_REVOKED: 401,
  CONSUMER_DISABLED: 403,
  SCOPE_DENIED: 403,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  STORE_UNAVAILABLE: 503,
  UPSTREAM_UNAVAILABLE: 502,
};

const VERIFY_FAILURES = [
  "KEY_MISSING",
  "KEY_MALFORMED",
  "KEY_NOT_FOUND",
  "KEY_EXPIRED",
  "KEY_REVOKED",
  "CONSUMER_DISABLED",
  "SCOPE_DENIED",
  "RATE_LIMITED",
  "QUOTA_EXCEEDED",
  "STORE_UNAVAILABLE",
] as const satisfies readonly VerifyFailureCode[] & readonly ErrorCode[];

describe("errorCatalogue", () => {
  const entries = Object.entries(errorCatalogue);

  it.each(entries)("%s has an UPPER_SNAKE code, a 4xx/5xx status and a title", (code, entry) => {
    expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(Number.isInteger(entry.status)).toBe(true);
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThan(600);
    expect(entry.title.trim().length).toBeGreaterThan(0);
  });

  it("holds every code of the public contract with its status", () => {
    for (const [code, status] of Object.entries(CONTRACT)) {
      expect(errorCatalogue, code).toHaveProperty(code);
      expect(isErrorCode(code) && errorCatalogue[code].status, code).toBe(status);
    }
  });

  it("has distinct titles", () => {
    const titles = entries.map(([, entry]) => entry.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("lists every verification failure code, each a 4xx/5xx", () => {
    for (const code of VERIFY_FAILURES) expect(errorCatalogue[code].status).toBeGreaterThanOrEqual(400);
  });
});

describe("isErrorCode", () => {
  it("is true for catalogue codes only, not for inherited object members", () => {
    expect(isErrorCode("KEY_EXPIRED")).toBe(true);
    expect(isErrorCode("key_expired")).toBe(false);
    expect(isErrorCode("")).toBe(false);
    for (const inherited of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(isErrorCode(inherited)).toBe(false);
    }
  });
});

describe("KeygateError", () => {
  it("carries code, catalogue status, detail and field errors", () => {
    const fieldErrors = [{ path: "/overlapSeconds", message: "must be at most 31622400" }];
    const error = new KeygateError("VALIDATION_FAILED", "bad body", fieldErrors);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(KeygateError);
    expect(error.name).toBe("KeygateError");
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.status).toBe(400);
    expect(error.detail).toBe("bad body");
    expect(error.errors).toEqual(fieldErrors);
    expect(error.message).toBe("VALIDATION_FAILED: bad body");
    expect(error.stack).toContain("KeygateError");
  });

  it.each(Object.keys(errorCatalogue).filter(isErrorCode))(
    "takes its status from the catalogue for %s",
    (code) => {
      const error = new KeygateError(code, "x");
      expect(error.status).toBe(errorCatalogue[code].status);
      expect(error.errors).toBeUndefined();
    },
  );
});
