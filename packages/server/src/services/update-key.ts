import type { Actor } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import { keySummary } from "./key-events.ts";
import { getKeyOrThrow } from "./rotate-key.ts";
import { auditEntry, commitOrConflict, publishChange, type ServiceDeps } from "./service-deps.ts";

export interface KeyPatch {
  readonly name?: string | undefined;
  /** Normalised CIDRs; null lifts the restriction. */
  readonly allowedIps?: readonly string[] | null | undefined;
}

/**
 * Renames a key or changes where it may be used from. A revoked or expired
 * key stays as it is (409). Its allowlist is part of every verification, so
 * the change reaches every node's cache.
 */
export async function updateKey(deps: ServiceDeps, actor: Actor, keyId: string, patch: KeyPatch) {
  const key = await getKeyOrThrow(deps, keyId);
  if (key.status === "revoked" || key.status === "expired")
    throw new KeygateError("CONFLICT", `key ${keyId} is ${key.status}; it can no longer be changed`);
  const now = deps.clock.now();
  const next = {
    ...key,
    name: patch.name ?? key.name,
    allowedIps: patch.allowedIps === undefined ? key.allowedIps : patch.allowedIps,
  };
  const changed = Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "updateKey", key: next, expectRevision: key.revision }],
      audit: [
        auditEntry(now, actor, "key.update", "key", key.id, {
          ...keySummary(next),
          changed,
          name: next.name,
          allowedIps: next.allowedIps,
        }),
      ],
      events: [],
    },
    "key update",
  );
  const change = await publishChange(deps, { keyIds: [key.id] });
  return { key: { ...next, revision: key.revision + 1 }, change };
}
