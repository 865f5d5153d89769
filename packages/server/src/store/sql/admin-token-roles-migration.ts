import { type Kysely, sql } from "kysely";

/**
 * Migration 0008: admin tokens get roles, expiry, last use and their issuer,
 * and dashboard sign-ins (OpenID Connect) get a session table. The two roles
 * of before are renamed in place: `root` → `admin`, `read` → `viewer`, so
 * every token issued before keeps exactly the rights it had.
 */
export async function adminTokenRoles(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("admin_tokens").addColumn("expires_at", "bigint").execute();
  await db.schema.alterTable("admin_tokens").addColumn("last_used_at", "bigint").execute();
  await db.schema.alterTable("admin_tokens").addColumn("created_by", "text").execute();
  await sql`update admin_tokens set role = 'admin' where role = 'root'`.execute(db);
  await sql`update admin_tokens set role = 'viewer' where role = 'read'`.execute(db);
  // Bootstrap tokens of before were named so; the replacement rule (admin-tokens.ts) finds them by issuer.
  await sql`update admin_tokens set created_by = 'system:bootstrap' where name = 'bootstrap'`.execute(db);
  await db.schema
    .createTable("operator_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addUniqueConstraint("operator_sessions_hash_unique", ["hash"])
    .execute();
}
