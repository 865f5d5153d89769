import type { Actor, KeyRecord } from "@keygate/core";
import { KeygateError, planDue } from "@keygate/core";
import { keySummary } from "./key-events.ts";
import { getKeyOrThrow } from "./rotate-key.ts";
import { auditEntry, commitOrConflict, eventId, publishChange, type ServiceDeps } from "./service-deps.ts";

/** Why a key became due: an operator asked (`request-rotation`) or the consumer's rotation policy. */
export type DueReason = "requested" | "policy";

/**
 * Marks a key due (`planDue`): it keeps working, every response made with it
 * carries `Deprecation: @<dueAt>` and `Sunset: <sunsetAt>`, and
 * `key.rotation_due` is emitted in the same commit. The one path for
 * `request-rotation` and rotation policies; a concurrent change to the key is
 * `409 CONFLICT`.
 */
export async function markKeyDue(
  deps: ServiceDeps,
  actor: Actor,
  key: KeyRecord,
  dueAt: number,
  sunsetAt: number,
  reason: DueReason,
) {
  const now = deps.clock.now();
  const decision = planDue(key, dueAt, sunsetAt, now);
  if (decision.type === "reject") {
    throw new KeygateError(
      decision.code,
      decision.detail,
      decision.code === "VALIDATION_FAILED" ? [{ path: "/sunsetAt", message: decision.detail }] : undefined,
    );
  }
  const due = decision.key;
  const data = {
    ...keySummary(due),
    dueAt: new Date(dueAt).toISOString(),
    sunsetAt: new Date(sunsetAt).toISOString(),
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "updateKey", key: due, expectRevision: key.revision }],
      audit: [
        auditEntry(
          now,
          actor,
          reason === "requested" ? "key.request_rotation" : "key.rotation_due",
          "key",
          key.id,
          data,
        ),
      ],
      events: [{ id: eventId(deps, now), type: "key.rotation_due", at: now, data: { ...data, reason } }],
    },
    "rotation request",
  );
  const change = await publishChange(deps, { keyIds: [key.id] });
  return { key: due, change };
}

/**
 * Asks a consumer to rotate without seeing its secret: the key becomes due
 * now, with the given sunset. The consumer (or its SDK) sees `Deprecation` and
 * `Sunset` on its next response and calls `self/rotate`.
 */
export async function requestRotation(deps: ServiceDeps, actor: Actor, keyId: string, sunsetAt: number) {
  const key = await getKeyOrThrow(deps, keyId);
  return markKeyDue(deps, actor, key, deps.clock.now(), sunsetAt, "requested");
}
