import type { AdminRole } from "@keygate/core";

/** Claim values granting each dashboard role (`oidc.roles` in the config file). */
export interface OidcRoleMapping {
  readonly admin: readonly string[];
  readonly operator: readonly string[];
  readonly viewer: readonly string[];
}

/** Highest first: a person in both an admin and a viewer group is an admin. */
const ORDER: readonly ("admin" | "operator" | "viewer")[] = ["admin", "operator", "viewer"];

/**
 * The role a signed-in person gets from the identity provider's claims: the
 * highest role one of whose configured values appears in `claims[roleClaim]`
 * (a string, or an array of strings; other shapes count as none). Null when
 * nothing matches: the sign-in is refused. Never `verifier`: that role is
 * for services, which use tokens.
 */
export function mapOidcRole(
  claims: Readonly<Record<string, unknown>>,
  roleClaim: string,
  mapping: OidcRoleMapping,
): AdminRole | null {
  const raw = claims[roleClaim];
  const values = new Set(
    typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw.filter((v) => typeof v === "string") : [],
  );
  for (const role of ORDER) if (mapping[role].some((value) => values.has(value))) return role;
  return null;
}
