import { z } from "zod";
import { defineRoute } from "../route-kit.ts";
import { scopes } from "../schemas.ts";

const verifyResultSchema = z.strictObject({
  valid: z.boolean(),
  /** `VALID`, or the catalogue code the gateway would refuse the request with. */
  code: z.string(),
  keyId: z.string().optional(),
  consumerId: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  deprecated: z.boolean().optional(),
  sunsetAt: z.iso.datetime().nullable().optional(),
});

export const verifyRoute = defineRoute({
  method: "POST",
  url: "/v1/verify",
  access: "read",
  operationId: "verifyKey",
  summary:
    "Verify a consumer key for a provider service. An invalid key is a result (200, valid: false), not an error",
  tag: "verify",
  body: z.strictObject({
    // Not checked for shape here: a malformed key is the verifier's KEY_MALFORMED result.
    key: z.string().max(512),
    scopes: scopes.optional(),
    cost: z.int().min(0).max(1_000_000).optional(),
  }),
  responses: { 200: { description: "The verification result", schema: verifyResultSchema } },
  async handler({ body, ctx }) {
    const outcome = await ctx.verify(body.key, body.scopes ?? [], body.cost);
    const result: z.infer<typeof verifyResultSchema> = { valid: outcome.valid, code: outcome.code };
    // Only what identifies the key's owner: failures before identification carry nothing more.
    if (outcome.keyId !== undefined) result.keyId = outcome.keyId;
    if (outcome.consumerId !== undefined) result.consumerId = outcome.consumerId;
    if (outcome.valid) {
      result.scopes = [...(outcome.scopes ?? [])];
      result.deprecated = outcome.signalDeprecation ?? false;
      result.sunsetAt =
        outcome.sunsetAt === undefined || outcome.sunsetAt === null
          ? null
          : new Date(outcome.sunsetAt).toISOString();
    }
    return { status: 200, body: result };
  },
});
