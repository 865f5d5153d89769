import type { Actor } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import { rotateKey } from "./rotate-key.ts";
import type { ServiceDeps } from "./service-deps.ts";
import type { VerifyOutcomeLike } from "./verify-outcome.ts";

/**
 * A consumer rotates its own key, authenticated with that key. The overlap
 * comes from the consumer's rotation policy (else the default); a key already
 * due keeps working until the earlier of its sunset and the overlap's end.
 */
export async function selfRotate(deps: ServiceDeps, outcome: VerifyOutcomeLike) {
  if (!outcome.valid || outcome.keyId === undefined) {
    throw new KeygateError("UNAUTHENTICATED", "self-rotation needs a valid key");
  }
  const actor: Actor = { type: "consumer", id: outcome.keyId };
  return rotateKey(deps, actor, outcome.keyId, {});
}
