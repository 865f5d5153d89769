import { z } from "zod";
import { ALERT_EVENT_TYPES } from "../../alerts/alert-types.ts";
import { analyticsStoreOf } from "../../usage/analytics-store-of.ts";
import { alertPageSchema } from "../analytics-view-schemas.ts";
import { alertView } from "../analytics-views.ts";
import { defineRoute } from "../route-kit.ts";
import { DEFAULT_PAGE_LIMIT, queryInt } from "../schemas.ts";

export const listAlertsRoute = defineRoute({
  method: "GET",
  url: "/v1/alerts",
  access: "viewer",
  operationId: "listAlerts",
  summary:
    "Alert events by id (key.deprecated_in_use, key.sunset_approaching, auth.failure_spike, key.leaked, key.rotation_due)",
  tag: "analytics",
  query: z.strictObject({
    after: z
      .string()
      .regex(/^evt_[0-9A-Za-z]{1,64}$/, { message: "must be an event id (evt_…) returned before" })
      .optional(),
    limit: queryInt(1, 1000).optional(),
  }),
  responses: { 200: { description: "A page of alerts; `next` is the last id", schema: alertPageSchema } },
  async handler({ query, ctx }) {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const rows = await analyticsStoreOf(ctx.deps.store).listEvents({
      types: ALERT_EVENT_TYPES,
      after: query.after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { status: 200, body: { data: page.map(alertView), next } };
  },
});
