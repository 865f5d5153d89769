import type { Logger } from "pino";
import type { FileConfig } from "./config/config-schema.ts";
import { putPlan } from "./services/plans.ts";
import type { ServiceDeps } from "./services/service-deps.ts";

/**
 * Makes the store's plans match the config file's. Plans set through the
 * admin API and absent from the file are left alone; a plan is written only
 * when it differs, so restarts do not fill the audit log.
 */
export async function seedPlans(
  deps: ServiceDeps,
  plans: FileConfig["plans"],
  logger: Logger,
): Promise<void> {
  for (const [name, wanted] of Object.entries(plans)) {
    const current = await deps.store.getPlan(name);
    const rateLimit = wanted.rateLimit ?? null;
    const quota = wanted.quota ?? null;
    const scopes =
      wanted.scopes === undefined || wanted.scopes === null ? null : [...new Set(wanted.scopes)].sort();
    if (
      current &&
      JSON.stringify([current.rateLimit, current.quota, current.scopes]) ===
        JSON.stringify([rateLimit, quota, scopes])
    )
      continue;
    await putPlan(deps, { type: "system", id: "config" }, name, { rateLimit, quota, scopes });
    logger.info({ plan: name }, "plan set from config");
  }
}
