import type { KeyRecord } from "../model.ts";

export type RevocationDecision =
  | { readonly type: "revoke"; readonly key: KeyRecord }
  | { readonly type: "reject"; readonly detail: string };

/** Revokes a key now, whatever its status, unless it already is revoked. */
export function planRevocation(key: KeyRecord, reason: string, now: number): RevocationDecision {
  if (key.status === "revoked") return { type: "reject", detail: `key ${key.id} is already revoked` };
  return { type: "revoke", key: { ...key, status: "revoked", revokedAt: now, revokedReason: reason } };
}
