import type { KeygateConfig } from "../../config/load-config.ts";
import type { AdminSsoOptions } from "../admin-app.ts";

/**
 * Dashboard single sign-on from the configuration: on when `KEYGATE_OIDC_*`
 * are set. Without `oidc.redirectUrl` the callback is the admin port on
 * `KEYGATE_HOST` over http (a wildcard bind becomes 127.0.0.1): enough on a
 * workstation; behind a proxy set the public https URL.
 */
export function adminSsoOptions(config: KeygateConfig): AdminSsoOptions | undefined {
  const provider = config.oidcProvider;
  if (provider === undefined) return undefined;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUrl: config.oidc.redirectUrl ?? `http://${hostPart}:${config.adminPort}/auth/callback`,
    roleClaim: config.oidc.roleClaim,
    roles: config.oidc.roles,
    scopes: config.oidc.scopes,
    sessionTtlMs: config.oidc.sessionHours * 3_600_000,
  };
}
