import { z } from "zod";
import { verifyStoredAuditChain } from "../../audit/verify-stored-chain.ts";
import { defineRoute } from "../route-kit.ts";

const verdictSchema = z.union([
  z.strictObject({ ok: z.literal(true), entries: z.int(), headHash: z.string() }),
  z.strictObject({
    ok: z.literal(false),
    seq: z.int(),
    problem: z.enum(["edited", "missing", "reordered", "broken_link"]),
  }),
]);

export const verifyAuditRoute = defineRoute({
  method: "GET",
  url: "/v1/audit/verify",
  access: "viewer",
  operationId: "verifyAudit",
  summary: "Walk the whole audit chain and name the first edited, missing or reordered entry",
  tag: "audit",
  responses: {
    200: { description: "The verdict (a broken chain is a result, not an error)", schema: verdictSchema },
  },
  async handler({ ctx }) {
    return { status: 200, body: await verifyStoredAuditChain(ctx.deps.store, ctx.deps.hasher) };
  },
});
