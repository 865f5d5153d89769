import type { Change } from "@keygate/core";
import type { z } from "zod";
import type { AdminContext, RouteResult } from "./route-kit.ts";
import type { PropagationView } from "./view-schemas.ts";

/**
 * The answer of a mutating route: its body plus where the change has reached.
 * With `?wait=true` it waits (at most `propagationWaitMs`) until every live
 * node applied the change, and answers 202 instead of `status` if some did not.
 */
export async function withPropagation(
  ctx: AdminContext,
  change: Change,
  wait: "true" | "false" | undefined,
  status: number,
  body: Record<string, unknown>,
): Promise<RouteResult> {
  if (wait === "true") {
    const outcome = await ctx.propagation.waitFor(change, ctx.propagationWaitMs);
    return { status: outcome.complete ? status : 202, body: { ...body, propagation: view(outcome.status) } };
  }
  const known = await ctx.propagation.status(change.id);
  const propagation = known ?? { changeId: change.id, nodes: 0, acknowledged: 0 };
  return { status, body: { ...body, propagation: view(propagation) } };
}

function view(status: PropagationView): PropagationView {
  return { changeId: status.changeId, nodes: status.nodes, acknowledged: status.acknowledged };
}

/** The documented answers of a mutating route: `status`, or 202 when `?wait=true` ran out of time. */
export function mutationResponses(status: number, description: string, schema: z.ZodType) {
  return {
    [status]: { description, schema },
    202: {
      description: "`?wait=true` only: not every live node acknowledged within 5 s; the change is committed",
      schema,
    },
  };
}
