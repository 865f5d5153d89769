import { z } from "zod";

const claimValues = z.array(z.string().min(1).max(256)).max(100).default([]);

/**
 * `oidc`: single sign-on for the operator dashboard (docs/security.md,
 * "Single sign-on"). The provider itself comes from the environment
 * (`KEYGATE_OIDC_ISSUER`, `KEYGATE_OIDC_CLIENT_ID`, `KEYGATE_OIDC_CLIENT_SECRET`);
 * this section says who gets which role.
 */
export const oidcSchema = z
  .object({
    // The ID token / userinfo claim holding the person's groups or roles (a string or an array of strings).
    roleClaim: z.string().min(1).max(256).default("groups"),
    // Claim values granting each role; the highest matching role wins, no match refuses the sign-in.
    roles: z.object({ admin: claimValues, operator: claimValues, viewer: claimValues }).strict().prefault({}),
    // The callback the provider redirects to; default http://<KEYGATE_HOST>:<KEYGATE_ADMIN_PORT>/auth/callback.
    // https here makes the cookies Secure: set it whenever TLS is terminated in front of keygate.
    redirectUrl: z
      .url({ protocol: /^https?$/ })
      .refine((url) => new URL(url).pathname === "/auth/callback", "must end in /auth/callback")
      .optional(),
    // Scopes asked for; "openid" is always sent. Okta needs "groups" for a groups claim.
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "a scope token"))
      .max(20)
      .default(["openid", "email", "profile"]),
    // How long a dashboard session lasts; the person signs in again after it.
    sessionHours: z.number().positive().max(168).default(8),
  })
  .strict();

export type OidcFileConfig = z.infer<typeof oidcSchema>;
