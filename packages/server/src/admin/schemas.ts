import { KeygateError, MAX_OVERLAP_SECONDS } from "@keygate/core";
import { z } from "zod";
import { normalizeAllowedIps } from "../verify/ip-allowlist.ts";

/**
 * Building blocks of the admin API's request schemas. Every string a client
 * sends ends up in a store (PostgreSQL refuses NUL in text and JSONB) and in
 * logs or audit entries, so free text is bounded and free of control
 * characters and lone surrogates.
 */

const CONTROL_CHARACTER = /\p{Cc}/u;
/** With the `u` flag a well-formed surrogate pair is one code point, so this matches lone halves only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const METADATA_MAX_DEPTH = 8;
const METADATA_MAX_KEYS = 64;

export function text(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !CONTROL_CHARACTER.test(value) && !LONE_SURROGATE.test(value), {
      message: "must not contain control characters or unpaired surrogates",
    });
}

/** A keygate id with its prefix (`key_…`). A well-formed id that does not exist is a 404, not a 400. */
export function idOf(prefix: "con" | "key" | "rot" | "chg", what: string) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`), { message: `must be a ${what} id (${prefix}_…)` });
}

export const planName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
  message: "must be 1–63 of a-z, 0-9, _ and -, starting with a letter or digit",
});

/** Where a JSON value breaks a storage rule, or null. */
function jsonProblem(value: unknown, depth: number): string | null {
  if (typeof value === "string")
    return value.includes("\u0000") || LONE_SURROGATE.test(value)
      ? "a string contains NUL or an unpaired surrogate"
      : null;
  if (value === null || typeof value !== "object") return null;
  if (depth >= METADATA_MAX_DEPTH) return `nests deeper than ${METADATA_MAX_DEPTH} levels`;
  const children = Array.isArray(value) ? value : Object.entries(value).flat();
  for (const child of children) {
    const problem = jsonProblem(child, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}

/** Free-form JSON attached to consumers and keys; bounded so it stays storable and printable. */
export const metadata = z
  .record(z.string().min(1).max(100), z.unknown())
  .refine((value) => Object.keys(value).length <= METADATA_MAX_KEYS, {
    message: `must have at most ${METADATA_MAX_KEYS} keys`,
  })
  .superRefine((value, context) => {
    const problem = jsonProblem(value, 0);
    if (problem !== null) context.addIssue({ code: "custom", message: problem });
  });

export const scopes = z
  .array(
    z.string().regex(/^[A-Za-z0-9:._*/-]{1,64}$/, { message: "must be 1–64 of A-Z a-z 0-9 : . _ * / -" }),
  )
  .max(64);

/**
 * A consumer's mail address: trimmed and lower-cased (addresses are unique
 * case-insensitively), one `@`, no spaces or angle brackets (it becomes a mail header).
 */
export const email = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .regex(/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/, "must be an email address (name@example.com)");

/** `keys.maxAllowedIps` when the config does not say. */
export const DEFAULT_MAX_ALLOWED_IPS = 100;

/** Hard ceiling of an allowlist's length in any request; `keys.maxAllowedIps` (config) is the real bound. */
export const ALLOWED_IPS_CEILING = 1000;

/**
 * A key's IP allowlist: IPv4/IPv6 addresses or CIDRs, validated (every bad
 * entry named) and made canonical (network CIDRs, duplicates dropped).
 */
export const allowedIps = z
  .array(z.string().max(64))
  .max(ALLOWED_IPS_CEILING)
  .transform((entries, context) => {
    const result = normalizeAllowedIps(entries, ALLOWED_IPS_CEILING);
    if (result.ok) return result.cidrs;
    for (const problem of result.problems)
      context.addIssue({ code: "custom", path: [problem.index], message: problem.message });
    return z.NEVER;
  });

/** Refuses an allowlist longer than the configured bound, naming the field. */
export function assertAllowlistSize(
  list: readonly string[] | null | undefined,
  max: number,
  path: string,
): void {
  if (list === null || list === undefined || list.length <= max) return;
  throw new KeygateError("VALIDATION_FAILED", `at most ${max} allowed IPs per key`, [
    { path, message: `at most ${max} entries` },
  ]);
}

/** An RFC 3339 date-time with an offset (`Z` or `±hh:mm`), as milliseconds since the epoch. */
export const isoDateTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

export const rotationPolicy = z
  .strictObject({
    maxAgeDays: z.int().min(1).max(3650).nullable().optional(),
    overlapSeconds: z.int().min(0).max(MAX_OVERLAP_SECONDS).nullable().optional(),
    notifyBeforeDays: z.int().min(0).max(365).nullable().optional(),
  })
  .transform((policy) => ({
    maxAgeDays: policy.maxAgeDays ?? null,
    overlapSeconds: policy.overlapSeconds ?? null,
    notifyBeforeDays: policy.notifyBeforeDays ?? null,
  }));

/** A decimal integer in a query string. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, { message: "must be a decimal integer" })
    .transform(Number)
    .pipe(z.int().min(min).max(max));
}

export const DEFAULT_PAGE_LIMIT = 100;

/** Cursor pagination: `after` is the last id (or audit seq) of the previous page. */
export const pageQuery = {
  after: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,80}$/, { message: "must be a cursor returned as `next`" })
    .optional(),
  limit: queryInt(1, 1000).optional(),
};

/** `?wait=true` on a mutating route: answer once every live node has applied the change (at most 5 s). */
export const waitQuery = { wait: z.enum(["true", "false"]).optional() };

export const mutationQuery = z.strictObject(waitQuery);

export const noParams = z.strictObject({});
export const noQuery = z.strictObject({});
/** A POST without a body may send nothing, or `{}`. */
export const emptyBody = z.strictObject({}).optional();

export const keyIdParams = z.strictObject({ id: idOf("key", "key") });
export const consumerIdParams = z.strictObject({ id: idOf("con", "consumer") });
export const rotationIdParams = z.strictObject({ id: idOf("rot", "rotation") });
