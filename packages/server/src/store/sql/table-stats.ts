import type { StoreStats, TableStat } from "@keygate/core";
import { type Kysely, sql } from "kysely";
import type { KeygateDatabase } from "./schema.ts";
import type { SqlDialect } from "./sql-dialect.ts";

type Db = Kysely<KeygateDatabase>;

/** Exact row counts: `count(*)` per table (a full scan each; this is an operator's command, not a hot path). */
async function countRows(db: Db, tables: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of tables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      db,
    );
    counts.set(table, Number(rows[0]?.n ?? 0));
  }
  return counts;
}

/**
 * SQLite: the pages of each table and of its indexes from the `dbstat`
 * virtual table (compiled into better-sqlite3's SQLite); where it is missing,
 * sizes are unknown per table and only the file's pages are counted.
 */
async function sqliteStats(db: Db): Promise<StoreStats> {
  const { rows: master } = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
    db,
  );
  const tables = master.map((r) => r.name);
  const counts = await countRows(db, tables);
  let sizes: Map<string, number> | null = null;
  try {
    const { rows } = await sql<{ tbl: string; bytes: number }>`
      select m.tbl_name as tbl, sum(s.pgsize) as bytes
      from dbstat as s join sqlite_master as m on m.name = s.name
      group by m.tbl_name`.execute(db);
    sizes = new Map(rows.map((r) => [r.tbl, Number(r.bytes)]));
  } catch {
    sizes = null; // no dbstat in this SQLite build
  }
  const { rows: pages } = await sql<{ bytes: number }>`
    select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(db);
  return {
    backend: "sqlite",
    tables: tables.map((table) => ({
      table,
      rows: counts.get(table) ?? 0,
      bytes: sizes === null ? null : (sizes.get(table) ?? 0),
    })),
    totalBytes: Number(pages[0]?.bytes ?? 0),
  };
}

/** PostgreSQL: `pg_total_relation_size` (heap, indexes and TOAST) of each table in the current schema. */
async function postgresStats(db: Db): Promise<StoreStats> {
  const { rows } = await sql<{ name: string; bytes: string | number }>`
    select tablename as name, pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass) as bytes
    from pg_tables where schemaname = current_schema() order by tablename`.execute(db);
  const counts = await countRows(
    db,
    rows.map((r) => r.name),
  );
  const { rows: total } = await sql<{
    bytes: string | number;
  }>`select pg_database_size(current_database()) as bytes`.execute(db);
  const tables: TableStat[] = rows.map((r) => ({
    table: r.name,
    rows: counts.get(r.name) ?? 0,
    bytes: Number(r.bytes),
  }));
  return { backend: "postgres", tables, totalBytes: Number(total[0]?.bytes ?? 0) };
}

/** Every table of the store with its exact row count and size on disk. Read-only. */
export function storeStats(db: Db, d: SqlDialect): Promise<StoreStats> {
  return d.name === "sqlite" ? sqliteStats(db) : postgresStats(db);
}
