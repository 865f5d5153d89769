import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { StoreStats } from "@keygate/core";
import type { Command } from "commander";
import { formatBytes } from "../../text/format-bytes.ts";
import { type OutputOptions, out } from "../cli-context.ts";
import { table } from "../print.ts";

/** Where the store lives, without credentials: `sqlite /abs/path.db`, `postgres db@host`. */
function describeStore(url: string): string {
  if (url.startsWith("sqlite:")) return `sqlite ${resolve(url.slice("sqlite:".length))}`;
  if (url.startsWith("postgres")) {
    const parsed = new URL(url);
    return `postgres ${parsed.pathname.slice(1)}@${parsed.host}`;
  }
  return url;
}

/** The human-readable report: tables largest first, sizes and bytes per row. */
export function renderStoreStats(stats: StoreStats, where: string): string {
  const rows = [...stats.tables]
    .sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || b.rows - a.rows || (a.table < b.table ? -1 : 1))
    .map((t) => ({
      table: t.table,
      rows: t.rows.toLocaleString("en-US"),
      size: t.bytes === null ? null : formatBytes(t.bytes),
      "bytes/row": t.bytes === null || t.rows === 0 ? null : Math.round(t.bytes / t.rows),
    }));
  const lines = [`store: ${where}`, table(rows, ["table", "rows", "size", "bytes/row"])];
  if (stats.totalBytes !== null) {
    lines.push(
      `database: ${formatBytes(stats.totalBytes)} (${stats.totalBytes.toLocaleString("en-US")} bytes)`,
    );
  }
  if (stats.backend === "sqlite" && stats.tables.some((t) => t.bytes === null)) {
    lines.push("(this SQLite has no dbstat table: sizes per table are unknown)");
  }
  return lines.join("\n");
}

export function registerDb(program: Command): void {
  const db = program.command("db").description("the store itself (KEYGATE_DATABASE_URL)");
  db.command("stats")
    .description(
      "each table's row count and size on disk (SQLite: dbstat; PostgreSQL: pg_total_relation_size)",
    )
    .option("--json", "print JSON")
    .action(async (o: OutputOptions) => {
      const { loadConfig } = await import("../../config/load-config.ts");
      const { nodeHasher } = await import("../../platform/node-platform.ts");
      const { createKeyStore } = await import("../../store/create-key-store.ts");
      const config = loadConfig(process.env, "admin");
      const url = config.databaseUrl;
      // Read-only: opening a missing SQLite file would create an empty database.
      const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : null;
      if (file !== null && file !== ":memory:" && !existsSync(file)) {
        throw new Error(`no SQLite database at ${resolve(file)} (KEYGATE_DATABASE_URL=${url})`);
      }
      const store = createKeyStore(url, { hasher: nodeHasher });
      try {
        const stats = await store.storeStats();
        out(o.json ? JSON.stringify(stats, null, 2) : renderStoreStats(stats, describeStore(url)));
      } finally {
        await store.close();
      }
    });
}
