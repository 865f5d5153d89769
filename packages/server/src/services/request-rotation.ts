import type { Actor } from "@keygate/core";
import { KeygateError, planDue } from "@keygate/core";
import { keySummary } from "./key-events.ts";
import { getKeyOrThrow } from "./rotate-key.ts";
import { auditEntry, commitOrConflict, eventId, publishChange, type ServiceDeps } from "./service-deps.ts";

/**
 * Asks a consumer to rotate without seeing its secret: the key becomes due
 * now, with the given sunset. The consumer (or its SDK) sees `Deprecation` and
 * `Sunset` on its next response and calls `self/rotate`.
 */
export async function requestRotation(deps: ServiceDeps, actor: Actor, keyId: string, sunsetAt: number) {
  const key = await getKeyOrThrow(deps, keyId);
  const now = deps.clock.now();
  const decision = planDue(key, now, sunsetAt, now);
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
    dueAt: new Date(now).toISOString(),
    sunsetAt: new Date(sunsetAt).toISOString(),
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "updateKey", key: due, expectRevision: key.revision }],
      audit: [auditEntry(now, actor, "key.request_rotation", "key", key.id, data)],
      events: [
        { id: eventId(deps, now), type: "key.rotation_due", at: now, data: { ...data, reason: "requested" } },
      ],
    },
    "rotation request",
  );
  const change = await publishChange(deps, { keyIds: [key.id] });
  return { key: due, change };
}
