import { z } from "zod";
import { getConsumerOrThrow } from "../../services/consumers.ts";
import { defineRoute } from "../route-kit.ts";
import { consumerIdParams, DEFAULT_PAGE_LIMIT, pageQuery } from "../schemas.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const mailViewSchema = z.strictObject({
  id: z.string(),
  kind: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.enum(["queued", "sent", "failed"]),
  attempts: z.int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
});

export const consumerMailRoute = defineRoute({
  method: "GET",
  url: "/v1/consumers/:id/mail",
  access: "viewer",
  operationId: "listConsumerMail",
  summary:
    "Mail to the consumer and its delivery state (queued, sent, failed with the SMTP reply); bodies are never shown",
  tag: "consumers",
  params: consumerIdParams,
  query: z.strictObject(pageQuery),
  errors: ["NOT_FOUND"],
  responses: {
    200: {
      description: "Mail, oldest first",
      schema: z.strictObject({ data: z.array(mailViewSchema), next: z.string().nullable() }),
    },
  },
  async handler({ params, query, ctx }) {
    const consumer = await getConsumerOrThrow(ctx.deps, params.id);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await ctx.deps.store.listMail({ consumerId: consumer.id, after: query.after, limit });
    const data = rows.map((m) => ({
      id: m.id,
      kind: m.kind,
      to: m.to,
      subject: m.subject,
      status: m.status,
      attempts: m.attempts,
      nextAttemptAt: iso(m.nextAttemptAt),
      lastError: m.lastError,
      createdAt: new Date(m.createdAt).toISOString(),
      sentAt: iso(m.sentAt),
    }));
    const last = rows.at(-1);
    return { status: 200, body: { data, next: rows.length === limit && last ? last.id : null } };
  },
});
