import { z } from "zod";
import { MAX_KEYS_PER_REVOCATION, revokeKeys } from "../../services/revoke-keys.ts";
import { mutationResponses, withPropagation } from "../propagation-reply.ts";
import { defineRoute } from "../route-kit.ts";
import { idOf, mutationQuery, text } from "../schemas.ts";
import { propagationViewSchema } from "../view-schemas.ts";

/** Recorded when the operator gives no reason. */
const DEFAULT_REASON = "manual";
/** 10,000 key ids of ~29 bytes each, with room to spare; the admin port's default limit is 64 KiB. */
const BODY_LIMIT_BYTES = 512 * 1024;

export const revokeManyKeysRoute = defineRoute({
  method: "POST",
  url: "/v1/keys/revoke",
  access: "operator",
  operationId: "revokeKeys",
  summary: `Mass revocation: up to ${MAX_KEYS_PER_REVOCATION.toLocaleString("en-US")} keys (by id, or every key of a consumer) in one transaction and one change`,
  tag: "keys",
  query: mutationQuery,
  bodyLimitBytes: BODY_LIMIT_BYTES,
  body: z
    .strictObject({
      keyIds: z.array(idOf("key", "key")).min(1).max(MAX_KEYS_PER_REVOCATION).optional(),
      consumerId: idOf("con", "consumer").optional(),
      reason: text(200).optional(),
    })
    .refine((body) => (body.keyIds === undefined) !== (body.consumerId === undefined), {
      message: "give exactly one of keyIds and consumerId",
      path: ["keyIds"],
    }),
  errors: ["NOT_FOUND", "CONFLICT"],
  responses: mutationResponses(
    200,
    "How many keys were revoked; already revoked keys are listed and left as they are",
    z.strictObject({
      revoked: z.int(),
      keyIds: z.array(z.string()),
      alreadyRevoked: z.array(z.string()),
      propagation: propagationViewSchema,
    }),
  ),
  async handler({ query, body, actor, ctx }) {
    const target =
      body.consumerId !== undefined
        ? { type: "consumer" as const, consumerId: body.consumerId }
        : { type: "keys" as const, keyIds: body.keyIds ?? [] };
    const { revoked, alreadyRevoked, change } = await revokeKeys(
      ctx.deps,
      actor,
      target,
      body.reason ?? DEFAULT_REASON,
    );
    return withPropagation(ctx, change, query.wait, 200, {
      revoked: revoked.length,
      keyIds: revoked.map((key) => key.id),
      alreadyRevoked,
    });
  },
});
