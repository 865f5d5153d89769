import type { SelfServicePolicy } from "@keygate/core";
import type { AdminLimits } from "../limits/admin-limits.ts";
import type { MailTemplates } from "../mail/mail-templates.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import type { LoginThrottle } from "./login-throttle.ts";

/** The provider's look and the portal's public facts, as the branding and `me` answers show them. */
export interface PortalBranding {
  readonly title: string;
  readonly logoUrl: string | null;
  readonly accentColor: string | null;
  readonly supportUrl: string | null;
  /** Where consumers call the API: the snippets shown with a new key use it. */
  readonly gatewayUrl: string;
}

/** Everything a portal route may use, built once per app. */
export interface PortalContext {
  readonly deps: ServiceDeps;
  readonly policy: SelfServicePolicy;
  readonly branding: PortalBranding;
  /** Public URL of the portal (no trailing slash): sign-in links point here. */
  readonly portalUrl: string;
  readonly sessionTtlSeconds: number;
  /** Set `Secure` on the session cookie (the portal URL is https). */
  readonly secureCookies: boolean;
  /** Renders the sign-in mail; undefined when no SMTP server is configured (magic links are off). */
  readonly templates: MailTemplates | undefined;
  /** The node's limiter, for the consumer's rate limit and quota; undefined: none shown. */
  readonly limits: AdminLimits | undefined;
  readonly throttle: LoginThrottle;
  /** Longest IP allowlist per key (`keys.maxAllowedIps`). */
  readonly maxAllowedIps: number;
  readonly openapi: () => unknown;
  readonly ready: () => Promise<boolean>;
}
