import { z } from "zod";
import { reportIncident } from "../../services/report-leak.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { keyIdParams, mutationQuery } from "../schemas.ts";
import { keyViewSchema, propagationViewSchema, rotationViewSchema } from "../view-schemas.ts";
import { keyView, rotationView } from "../views.ts";

export const keyIncidentRoute = defineRoute({
  method: "POST",
  url: "/v1/keys/:id/incident",
  access: "operator",
  operationId: "reportKeyIncident",
  summary:
    "Report a key as leaked: emergency rollover (the key is invalid at once, its successor is issued) " +
    "and a key.leaked event, as for a secret-scanning report",
  tag: "keys",
  params: keyIdParams,
  query: mutationQuery,
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    201,
    "The emergency rotation and the successor with its secret (shown once)",
    z.strictObject({
      rotation: rotationViewSchema,
      key: keyViewSchema,
      secret: z.string(),
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ params, query, actor, ctx }) {
    const result = await reportIncident(ctx.deps, actor, params.id);
    return withPropagation(ctx, result.change, query.wait, 201, {
      rotation: rotationView(result.rotation),
      key: keyView(result.key, ctx.deps.clock.now()),
      secret: result.secret,
    });
  },
});
