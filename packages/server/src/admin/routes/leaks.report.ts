import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { SIGNATURE_FAILURE_DETAIL, type SignatureCheck } from "../../leaks/leak-signature.ts";
import { MAX_LEAK_REPORT_ITEMS, reportLeaks } from "../../services/report-leak.ts";
import { type AdminRoute, parseCall } from "../route-kit.ts";
import { noParams, noQuery } from "../schemas.ts";

/**
 * GitHub's secret-scanning partner payload. Objects are not strict: a field
 * GitHub adds later must not make a whole batch of leaks bounce. Lengths are
 * generous (the body limit bounds the total); the service shortens what it stores.
 */
const leakReportSchema = z
  .array(
    z.object({
      token: z.string().max(4096),
      type: z.string().max(1024),
      url: z.string().max(8192).optional(),
      source: z.string().max(1024).optional(),
    }),
  )
  .min(1)
  .max(MAX_LEAK_REPORT_ITEMS);

const verdictsSchema = z.array(
  z.strictObject({
    token_raw: z.string(),
    token_type: z.string(),
    label: z.enum(["true_positive", "false_positive"]),
  }),
);

/**
 * Not `defineRoute`: the signature is checked before the body is validated,
 * so an unsigned or forged report is a 401 whatever it contains. The route is
 * `public` for admin auth; the signature is its authentication.
 */
export const reportLeaksRoute: AdminRoute = {
  method: "POST",
  url: "/v1/leaks",
  access: "public",
  rawBody: true,
  operationId: "reportLeaks",
  summary:
    "GitHub secret-scanning partner endpoint: signed leak reports revoke (or rotate) every reported key " +
    "and answer true_positive/false_positive per match (Github-Public-Key-Identifier, Github-Public-Key-Signature)",
  tag: "leaks",
  params: noParams,
  query: noQuery,
  body: leakReportSchema,
  errors: ["UNAUTHENTICATED"],
  responses: { 200: { description: "One label per reported match, in order", schema: verdictsSchema } },
  async handle(raw) {
    const { ctx } = raw;
    const check: SignatureCheck =
      ctx.leaks === undefined
        ? { ok: false, reason: "not_configured" }
        : await ctx.leaks.signature.check(raw.rawBody ?? Buffer.alloc(0), raw.headers);
    if (!check.ok) throw new KeygateError("UNAUTHENTICATED", SIGNATURE_FAILURE_DETAIL[check.reason]);
    const policy = ctx.leaks?.policy;
    if (policy === undefined)
      throw new KeygateError("UNAUTHENTICATED", SIGNATURE_FAILURE_DETAIL.not_configured);
    const { body } = parseCall(reportLeaksRoute, raw);
    const { verdicts, changes } = await reportLeaks(
      ctx.deps,
      policy,
      body as z.output<typeof leakReportSchema>,
    );
    // Answer once every live node dropped the leaked keys (or the wait bound passed): the
    // reporter's "done" then means "refused everywhere".
    await Promise.all(changes.map((change) => ctx.propagation.waitFor(change, ctx.propagationWaitMs)));
    return { status: 200, body: verdicts };
  },
};
