import { decideRetirement, KeygateError } from "@keygate/core";
import type { Logger } from "pino";
import { completeRotation } from "../services/rotations.ts";
import type { ServiceDeps } from "../services/service-deps.ts";

const PAGE = 500;

/**
 * Retires old keys of overlapping rotations by deadline or, for
 * `retire: "idle"`, by observed traffic. Verification never waits for this
 * job (a key past its sunset is refused at that moment); the job brings stored
 * state, events and audit in line. Safe to run on several nodes at once: each
 * completion is a guarded commit, and a lost race is a conflict we skip.
 */
export async function runRetirementPass(deps: ServiceDeps, logger: Logger): Promise<number> {
  let retired = 0;
  let after: string | undefined;
  for (;;) {
    const rotations = await deps.store.listRotations({ state: "overlapping", after, limit: PAGE });
    for (const rotation of rotations) {
      const [oldKey, newKey] = await Promise.all([
        deps.store.getKey(rotation.oldKeyId),
        deps.store.getKey(rotation.newKeyId),
      ]);
      if (!oldKey || !newKey) continue;
      const decision = decideRetirement(rotation, oldKey, newKey, deps.clock.now());
      if (decision.type === "keep") continue;
      try {
        await completeRotation(deps, { type: "system", id: "retirement-job" }, rotation.id, decision.reason);
        retired++;
        logger.info(
          { rotationId: rotation.id, reason: decision.reason },
          "rotation completed, old key retired",
        );
      } catch (error) {
        if (!(error instanceof KeygateError && error.code === "CONFLICT")) throw error;
      }
    }
    if (rotations.length < PAGE) return retired;
    after = rotations.at(-1)?.id;
  }
}

/** Runs `runRetirementPass` every `intervalMs` until stopped; a failing pass is logged and retried. */
export function startRetirementJob(
  deps: ServiceDeps,
  logger: Logger,
  intervalMs: number,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await runRetirementPass(deps, logger);
      } catch (error) {
        logger.warn({ err: error }, "retirement pass failed; will retry");
      }
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
