import { KeygateError } from "@keygate/core";
import { z } from "zod";
import { ADMIN_ROLES } from "../admin-roles.ts";
import { defineRoute } from "../route-kit.ts";

/** Who the caller is: the dashboard shows only the controls the role may use. */
export const getMeRoute = defineRoute({
  method: "GET",
  url: "/v1/me",
  access: "viewer",
  operationId: "getMe",
  summary: "The calling operator: actor (admin token or signed-in person) and role",
  tag: "operators",
  responses: {
    200: {
      description: "The caller",
      schema: z.strictObject({
        actor: z.strictObject({ type: z.literal("admin"), id: z.string(), name: z.string().optional() }),
        role: z.enum(ADMIN_ROLES as ["viewer", "operator", "admin", "verifier"]),
        csrfToken: z
          .string()
          .optional()
          .describe("Signed in by SSO (cookie) only: send it as x-keygate-csrf on every change"),
      }),
    },
  },
  async handler({ actor, role, csrfToken }) {
    if (role === undefined || actor.type !== "admin")
      throw new KeygateError("UNAUTHENTICATED", "no operator");
    return {
      status: 200,
      body: {
        actor: { type: "admin", id: actor.id, ...(actor.name === undefined ? {} : { name: actor.name }) },
        role,
        ...(csrfToken === undefined ? {} : { csrfToken }),
      },
    };
  },
});
