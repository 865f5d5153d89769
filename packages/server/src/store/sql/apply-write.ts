import type { Consumer, Write } from "@keygate/core";
import type { Kysely } from "kysely";
import { WriteConflict } from "./driver-errors.ts";
import { applyOperatorWrite } from "./operator-queries.ts";
import { applyPortalWrite } from "./portal-queries.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";
import { applyWebhookWrite } from "./webhook-queries.ts";

type Db = Kysely<KeygateDatabase>;

/** Keys per UPDATE of a mass revocation: two bound values each, far below every driver's limit. */
const REVOKE_BATCH_KEYS = 500;

/** JSON text for a JSON column: TEXT in SQLite, parsed into JSONB by PostgreSQL. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value);
}

function consumerFields(c: Consumer, d: SqlDialect) {
  return {
    name: c.name,
    email: c.email,
    plan: c.plan,
    metadata: jsonText(c.metadata),
    disabled: d.bool(c.disabled),
    rotation_policy: c.rotationPolicy === null ? null : jsonText(c.rotationPolicy),
    updated_at: c.updatedAt,
  };
}

/**
 * Applies one write inside the caller's transaction. A guard that does not
 * hold throws `WriteConflict`; a unique or foreign-key violation surfaces as
 * the driver's error. Either way the caller rolls the whole unit back.
 */
export async function applyWrite(trx: Db, d: SqlDialect, write: Write): Promise<void> {
  switch (write.type) {
    case "putPlan": {
      const p = write.plan;
      const fields = {
        rate_limit: p.rateLimit?.limit ?? null,
        rate_window_seconds: p.rateLimit?.windowSeconds ?? null,
        quota_limit: p.quota?.limit ?? null,
        quota_period: p.quota?.period ?? null,
        scopes: p.scopes === null ? null : jsonText(p.scopes),
        updated_at: p.updatedAt,
      };
      await trx
        .insertInto("plans")
        .values({ name: p.name, ...fields })
        .onConflict((oc) => oc.column("name").doUpdateSet(fields))
        .execute();
      return;
    }
    case "insertConsumer": {
      const c = write.consumer;
      await trx
        .insertInto("consumers")
        .values({ id: c.id, created_at: c.createdAt, ...consumerFields(c, d) })
        .execute();
      return;
    }
    case "updateConsumer": {
      const c = write.consumer;
      const result = await trx
        .updateTable("consumers")
        .set(consumerFields(c, d))
        .where("id", "=", c.id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new WriteConflict(`consumer ${c.id} not found`);
      return;
    }
    case "insertKey": {
      const k = write.key;
      await trx
        .insertInto("keys")
        .values({
          id: k.id,
          consumer_id: k.consumerId,
          name: k.name,
          scopes: jsonText(k.scopes),
          env: k.env,
          lineage_id: k.lineageId,
          version: k.version,
          status: k.status,
          hash: k.hash,
          hint: k.hint,
          created_at: k.createdAt,
          expires_at: k.expiresAt,
          deprecated_at: k.deprecatedAt,
          sunset_at: k.sunsetAt,
          revoked_at: k.revokedAt,
          revoked_reason: k.revokedReason,
          last_used_at: k.lastUsedAt,
          metadata: jsonText(k.metadata),
          created_by: k.createdBy,
          allowed_ips: k.allowedIps === null ? null : jsonText(k.allowedIps),
          revision: 0,
        })
        .execute();
      return;
    }
    case "updateKey": {
      const k = write.key;
      const result = await trx
        .updateTable("keys")
        .set((eb) => ({
          status: k.status,
          name: k.name,
          scopes: jsonText(k.scopes),
          expires_at: k.expiresAt,
          deprecated_at: k.deprecatedAt,
          sunset_at: k.sunsetAt,
          revoked_at: k.revokedAt,
          revoked_reason: k.revokedReason,
          metadata: jsonText(k.metadata),
          allowed_ips: k.allowedIps === null ? null : jsonText(k.allowedIps),
          revision: eb("revision", "+", 1),
        }))
        .where("id", "=", k.id)
        .where("revision", "=", write.expectRevision)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new WriteConflict(`key ${k.id} changed concurrently`);
      return;
    }
    case "revokeKeys": {
      for (let i = 0; i < write.keys.length; i += REVOKE_BATCH_KEYS) {
        const batch = write.keys.slice(i, i + REVOKE_BATCH_KEYS);
        const result = await trx
          .updateTable("keys")
          .set((eb) => ({
            status: "revoked",
            revoked_at: write.revokedAt,
            revoked_reason: write.reason,
            revision: eb("revision", "+", 1),
          }))
          .where(({ eb, refTuple, tuple }) =>
            eb(
              refTuple("id", "revision"),
              "in",
              batch.map((key) => tuple(key.id, key.expectRevision)),
            ),
          )
          .executeTakeFirst();
        if (result.numUpdatedRows !== BigInt(batch.length))
          throw new WriteConflict(
            `${batch.length - Number(result.numUpdatedRows)} of the keys to revoke changed concurrently`,
          );
      }
      return;
    }
    case "insertRotation": {
      const r = write.rotation;
      await trx
        .insertInto("rotations")
        .values({
          id: r.id,
          lineage_id: r.lineageId,
          consumer_id: r.consumerId,
          old_key_id: r.oldKeyId,
          new_key_id: r.newKeyId,
          started_at: r.startedAt,
          sunset_at: r.sunsetAt,
          retire: r.retire,
          idle_seconds: r.idleSeconds,
          state: r.state,
          completed_at: r.completedAt,
          completed_reason: r.completedReason,
        })
        .execute();
      return;
    }
    case "updateRotation": {
      const r = write.rotation;
      const result = await trx
        .updateTable("rotations")
        .set({ state: r.state, completed_at: r.completedAt, completed_reason: r.completedReason })
        .where("id", "=", r.id)
        .where("state", "=", write.expectState)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new WriteConflict(`rotation ${r.id} changed concurrently`);
      return;
    }
    case "insertAdminToken": {
      const t = write.token;
      await trx
        .insertInto("admin_tokens")
        .values({
          id: t.id,
          name: t.name,
          hash: t.hash,
          role: t.role,
          created_at: t.createdAt,
          revoked_at: t.revokedAt,
          expires_at: t.expiresAt,
          last_used_at: t.lastUsedAt,
          created_by: t.createdBy,
        })
        .execute();
      return;
    }
    case "revokeAdminToken":
    case "insertOperatorSession":
    case "endOperatorSession":
      return applyOperatorWrite(trx, write);
    case "insertWebhook":
    case "updateWebhook":
      return applyWebhookWrite(trx, d, write);
    case "insertPortalToken":
    case "redeemPortalToken":
    case "insertPortalSession":
    case "endPortalSessions":
    case "insertMail":
    case "setMailOptOut":
      return applyPortalWrite(trx, write);
  }
}
