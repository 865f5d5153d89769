import type { AdminToken } from "@keygate/core";
import { z } from "zod";
import { ADMIN_ROLES } from "../admin-roles.ts";

const isoTime = z.iso.datetime();

/** An admin token as the API shows it: never the secret, never its hash. */
export const adminTokenViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: z.enum(ADMIN_ROLES as [AdminToken["role"], ...AdminToken["role"][]]),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  /** Who issued it: `admin:<token name>`, `admin:<email>` (dashboard sign-in), `system:bootstrap`. */
  createdBy: z.string().nullable(),
  revokedAt: isoTime.nullable(),
  /** `active`, `expired` or `revoked`, at the time of the answer. */
  status: z.enum(["active", "expired", "revoked"]),
});

export type AdminTokenView = z.infer<typeof adminTokenViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function adminTokenView(token: AdminToken, now: number): AdminTokenView {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
    createdBy: token.createdBy,
    revokedAt: iso(token.revokedAt),
    status:
      token.revokedAt !== null && token.revokedAt <= now
        ? "revoked"
        : token.expiresAt !== null && token.expiresAt <= now
          ? "expired"
          : "active",
  };
}

export const adminTokenIdParams = z.strictObject({
  id: z.string().regex(/^adm_[0-9A-Za-z]{1,64}$/, { message: "must be an admin token id (adm_…)" }),
});
