import { selfServiceScopes } from "@keygate/core";
import { mailPreferences } from "../../services/mail-preferences.ts";
import { consumerUsageState } from "../consumer-usage.ts";
import { definePortalRoute, signedIn } from "../portal-route-kit.ts";
import { meSchema } from "../portal-view-schemas.ts";

export const meRoute = definePortalRoute({
  method: "GET",
  url: "/portal/v1/me",
  access: "session",
  operationId: "getMe",
  summary:
    "The signed-in consumer, its plan and where it stands, and the CSRF token every mutation sends back",
  tag: "account",
  responses: { 200: { description: "The consumer's account", schema: meSchema } },
  async handler(call) {
    const { consumer, session } = signedIn(call);
    const { ctx } = call;
    const plan = consumer.plan === null ? null : await ctx.deps.store.getPlan(consumer.plan);
    const scopes = [...selfServiceScopes(plan, ctx.policy)];
    return {
      status: 200,
      body: {
        consumer: { id: consumer.id, name: consumer.name, email: consumer.email },
        plan:
          consumer.plan === null
            ? null
            : {
                name: consumer.plan,
                rateLimit: plan?.rateLimit ? { ...plan.rateLimit } : null,
                quota: plan?.quota ? { ...plan.quota } : null,
                scopes,
              },
        scopes,
        usage: await consumerUsageState(ctx, consumer),
        csrfToken: session.csrfToken,
        notifications: ctx.templates === undefined ? {} : await mailPreferences(ctx.deps, consumer.id),
        session: { expiresAt: new Date(session.expiresAt).toISOString() },
        portal: {
          title: ctx.branding.title,
          gatewayUrl: ctx.branding.gatewayUrl,
          maxKeysPerConsumer: ctx.policy.maxKeysPerConsumer,
          maxOverlapSeconds: ctx.policy.maxOverlapSeconds,
          supportUrl: ctx.branding.supportUrl,
        },
      },
    };
  },
});
