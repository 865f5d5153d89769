import type { Actor, AdminRole, AdminToken, Change, Page } from "@keygate/core";
import { KeygateError, newId } from "@keygate/core";
import { generateAdminToken } from "../admin/admin-tokens.ts";
import { auditEntry, commitOrConflict, notFound, publishChange, type ServiceDeps } from "./service-deps.ts";

export interface AdminTokenInput {
  readonly name: string;
  readonly role: AdminRole;
  /** Epoch ms; must lie in the future. */
  readonly expiresAt?: number | undefined;
}

/** `createdBy` of a token: who issued it, by name (ids stay in the audit entry's actor). */
export function issuerOf(actor: Actor): string {
  return `${actor.type}:${actor.name ?? actor.id}`;
}

/**
 * Issues an admin token. The secret (`kga_` + 40 base62 characters) is
 * returned once and only its SHA-256 is stored; the audit entry names the
 * token, its role and expiry, never the secret.
 */
export async function createAdminToken(
  deps: ServiceDeps,
  actor: Actor,
  input: AdminTokenInput,
): Promise<{ token: AdminToken; secret: string }> {
  const now = deps.clock.now();
  if (input.expiresAt !== undefined && input.expiresAt <= now) {
    throw new KeygateError("VALIDATION_FAILED", "expiresAt must lie in the future", [
      { path: "/body/expiresAt", message: "must lie in the future" },
    ]);
  }
  const secret = generateAdminToken(deps);
  const token: AdminToken = {
    id: newId("adm", now, deps.random),
    name: input.name,
    hash: deps.hasher.sha256Hex(secret),
    role: input.role,
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
    createdBy: issuerOf(actor),
    revokedAt: null,
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "insertAdminToken", token }],
      audit: [
        auditEntry(now, actor, "admin_token.create", "admin_token", token.id, {
          name: token.name,
          role: token.role,
          expiresAt: token.expiresAt,
        }),
      ],
      events: [],
    },
    "admin token creation",
  );
  return { token, secret };
}

export async function listAdminTokens(deps: ServiceDeps, page: Page): Promise<AdminToken[]> {
  return deps.store.listAdminTokens(page);
}

/**
 * Revokes an admin token and publishes its hash, so every node drops its
 * cached answer at once (`AdminAuthenticator.applyChange`) and refuses the
 * token from its next request. Revoking a revoked token is `409 CONFLICT`.
 */
export async function revokeAdminToken(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  reason = "manual",
): Promise<{ token: AdminToken; change: Change }> {
  const current = await deps.store.getAdminToken(id);
  if (current === null) throw notFound("admin token", id);
  if (current.revokedAt !== null) throw new KeygateError("CONFLICT", `admin token ${id} is already revoked`);
  const now = deps.clock.now();
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "revokeAdminToken", id, revokedAt: now }],
      audit: [
        auditEntry(now, actor, "admin_token.revoke", "admin_token", id, {
          name: current.name,
          role: current.role,
          reason,
        }),
      ],
      events: [],
    },
    "admin token revocation",
  );
  const change = await publishChange(deps, { hashes: [current.hash] });
  return { token: { ...current, revokedAt: now }, change };
}
