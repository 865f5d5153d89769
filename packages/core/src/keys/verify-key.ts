import type { KeyStatus } from "../model.ts";

/** The fields of a key that decide whether it is valid at a moment. */
export interface KeyValidityFields {
  readonly status: KeyStatus;
  readonly expiresAt: number | null;
  readonly sunsetAt: number | null;
  readonly deprecatedAt: number | null;
}

export type KeyValidity =
  | {
      readonly type: "valid";
      /**
       * True when the key is deprecated or due for rotation: responses carry
       * `Deprecation: @<deprecatedAt>` and, when set, `Sunset`.
       */
      readonly signalDeprecation: boolean;
    }
  | { readonly type: "invalid"; readonly code: "KEY_EXPIRED" | "KEY_REVOKED" };

const VALID_PLAIN: KeyValidity = { type: "valid", signalDeprecation: false };
const VALID_SIGNAL: KeyValidity = { type: "valid", signalDeprecation: true };
const EXPIRED: KeyValidity = { type: "invalid", code: "KEY_EXPIRED" };
const REVOKED: KeyValidity = { type: "invalid", code: "KEY_REVOKED" };

/**
 * Decides whether a key is valid at `now` from its fields alone, so a key past
 * `expiresAt` or `sunsetAt` is refused at that very moment, whether or not a
 * job has yet written its status. Allocation-free: it runs on every request.
 */
export function decideKeyValidity(key: KeyValidityFields, now: number): KeyValidity {
  if (key.status === "revoked") return REVOKED;
  if (key.status === "expired") return EXPIRED;
  if (key.expiresAt !== null && now >= key.expiresAt) return EXPIRED;
  if (key.sunsetAt !== null && now >= key.sunsetAt) return EXPIRED;
  return key.deprecatedAt !== null || key.status === "deprecated" ? VALID_SIGNAL : VALID_PLAIN;
}

/** The status a reader should see at `now` (a deprecated key past sunset reads `expired`). */
export function effectiveStatus(key: KeyValidityFields, now: number): KeyStatus {
  const validity = decideKeyValidity(key, now);
  if (validity.type === "invalid") return validity.code === "KEY_REVOKED" ? "revoked" : "expired";
  return key.status;
}

/** True when every scope in `required` is in `granted`. */
export function hasScopes(granted: readonly string[], required: readonly string[]): boolean {
  for (const scope of required) if (!granted.includes(scope)) return false;
  return true;
}
