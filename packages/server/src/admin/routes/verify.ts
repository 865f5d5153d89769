import { z } from "zod";
import { rateLimitView } from "../../limits/limit-answers.ts";
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
  /** The consumer's limits after this call; absent when its plan has none. */
  ratelimit: z
    .strictObject({
      allowed: z.boolean(),
      cost: z.int(),
      retryAfterSeconds: z.int().optional(),
      policies: z.array(
        z.strictObject({
          name: z.string(),
          kind: z.enum(["rate", "quota"]),
          limit: z.number(),
          remaining: z.number(),
          windowSeconds: z.number(),
          resetAt: z.iso.datetime(),
        }),
      ),
      headers: z.strictObject({ "RateLimit-Policy": z.string(), RateLimit: z.string() }),
    })
    .optional(),
});

export const verifyRoute = defineRoute({
  method: "POST",
  url: "/v1/verify",
  access: "verifier",
  operationId: "verifyKey",
  summary:
    "Verify a consumer key for a provider service and charge `cost` (default 1) to its consumer's limits. An invalid or limited key is a result (200, valid: false, code RATE_LIMITED / QUOTA_EXCEEDED), not an error",
  tag: "verify",
  body: z.strictObject({
    // Not checked for shape here: a malformed key is the verifier's KEY_MALFORMED result.
    key: z.string().max(512),
    scopes: scopes.optional(),
    cost: z.int().min(0).max(1_000_000).optional(),
    // The address the consumer called from, checked against the key's allowlist (a key with one refuses without it).
    clientIp: z.string().min(2).max(64).optional(),
  }),
  responses: { 200: { description: "The verification result", schema: verifyResultSchema } },
  async handler({ body, ctx }) {
    const outcome = await ctx.verify(body.key, body.scopes ?? [], body.clientIp);
    const cost = body.cost ?? 1;
    const now = ctx.deps.clock.now();
    const verdict =
      outcome.valid && ctx.limits !== undefined
        ? await ctx.limits.decide(outcome.consumerId, outcome.plan, cost, now)
        : undefined;
    const limited = verdict?.type === "deny";
    const result: z.infer<typeof verifyResultSchema> = {
      valid: outcome.valid && !limited,
      code: verdict?.type === "deny" ? verdict.code : outcome.code,
    };
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
    const ratelimit = verdict === undefined ? undefined : rateLimitView(verdict, cost, now);
    if (ratelimit !== undefined) result.ratelimit = ratelimit;
    return { status: 200, body: result };
  },
});
