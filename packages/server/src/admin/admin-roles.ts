import type { AdminRole } from "@keygate/core";

/** Every role an admin token or a dashboard session can carry. */
export const ADMIN_ROLES: readonly AdminRole[] = ["viewer", "operator", "admin", "verifier"];

/**
 * The minimum role an admin route needs: `viewer` (reads), `operator`
 * (consumers, keys, rotations, webhooks, leaks, portal links), `admin`
 * (plans, admin tokens) — each allowing the roles above it — and `verifier`
 * (`POST /v1/verify` only), which `operator` and `admin` also pass.
 */
export type RoleAccess = AdminRole;

const LADDER: Readonly<Record<Exclude<AdminRole, "verifier">, number>> = { viewer: 1, operator: 2, admin: 3 };

/**
 * Whether `role` may call a route that needs `access`. A `verifier` passes
 * only `verifier` routes; a `viewer` does not pass them (verification charges
 * the consumer's limits: a change, however small).
 */
export function roleAllows(role: AdminRole, access: RoleAccess): boolean {
  if (access === "verifier") return role === "verifier" || role === "operator" || role === "admin";
  if (role === "verifier") return false;
  return LADDER[role] >= LADDER[access];
}

/** Narrows an unknown value (a stored row, a config entry) to a role. */
export function isAdminRole(value: unknown): value is AdminRole {
  return typeof value === "string" && (ADMIN_ROLES as readonly string[]).includes(value);
}
