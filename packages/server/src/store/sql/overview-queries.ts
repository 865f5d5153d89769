import type {
  Consumer,
  EventFilter,
  KeyRecord,
  KeyStatus,
  OutboxEventInput,
  Page,
  RotationState,
} from "@keygate/core";
import { type Kysely, sql } from "kysely";
import { toConsumer, toKey, toOutboxEvent } from "./row-mappers.ts";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";
import { byPosition } from "./usage-queries.ts";

type Db = Kysely<KeygateDatabase>;

const STATUSES: readonly KeyStatus[] = ["active", "deprecated", "expired", "revoked"];

/** The status a reader sees at `now` (as `effectiveStatus` in core decides it), in SQL. */
function effectiveStatus(now: number) {
  return sql<string>`case
    when status in ('active', 'deprecated')
      and ((expires_at is not null and expires_at <= ${now}) or (sunset_at is not null and sunset_at <= ${now}))
    then 'expired' else status end`;
}

export async function countKeysByStatus(db: Db, now: number): Promise<Record<KeyStatus, number>> {
  const status = effectiveStatus(now);
  const rows = await db
    .selectFrom("keys")
    .select([status.as("status"), (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(byPosition(1))
    .execute();
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<KeyStatus, number>;
  for (const row of rows) {
    if ((STATUSES as readonly string[]).includes(row.status)) counts[row.status as KeyStatus] = Number(row.n);
  }
  return counts;
}

export async function countRows(db: Db, table: "consumers"): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countRotations(db: Db, state: RotationState): Promise<number> {
  const row = await db
    .selectFrom("rotations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", state)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function listEvents(db: Db, d: SqlDialect, filter: EventFilter): Promise<OutboxEventInput[]> {
  if (filter.types.length === 0) return [];
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "type", "at", "data", "attempts"])
    .where("type", "in", [...filter.types])
    .$if(filter.after !== undefined, (q) => q.where("id", ">", filter.after ?? ""))
    .orderBy("id")
    .limit(filter.limit)
    .execute();
  return rows.map((row) => {
    const { id, type, at, data } = toOutboxEvent(row, d);
    return { id, type, at, data };
  });
}

export async function listConsumersWithPolicy(db: Db, d: SqlDialect, page: Page): Promise<Consumer[]> {
  const rows = await db
    .selectFrom("consumers")
    .selectAll()
    .where("rotation_policy", "is not", null)
    .$if(page.after !== undefined, (q) => q.where("id", ">", page.after ?? ""))
    .orderBy("id")
    .limit(page.limit)
    .execute();
  return rows.map((row) => toConsumer(row, d));
}

/** Through `keys_status_sunset_idx` (status, sunset_at). */
export async function listActiveKeysPastSunset(
  db: Db,
  d: SqlDialect,
  now: number,
  limit: number,
): Promise<KeyRecord[]> {
  const rows = await db
    .selectFrom("keys")
    .selectAll()
    .where("status", "=", "active")
    .where("sunset_at", "is not", null)
    .where("sunset_at", "<=", now)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((row) => toKey(row, d));
}
