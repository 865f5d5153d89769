/**
 * `keygate db stats` through the real bin against a real SQLite file and the
 * real PostgreSQL: every table with its exact row count and a size that
 * grows with the data, as text and as `--json`, never the database password.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoreStats, UsageCount } from "@keygate/core";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../packages/server/src/platform/node-platform.ts";
import { createKeyStore } from "../packages/server/src/store/create-key-store.ts";
import {
  createTestDatabase,
  requireServiceInCi,
  skipSuite,
  type TestDatabase,
} from "../packages/server/test/support/postgres.ts";
import { runCli } from "./support/run-cli.ts";

const ROWS = 20_000;
const T0 = Date.UTC(2025, 0, 1);

/** `ROWS` per-minute usage rows over 200 keys, written through the store as the usage recorder does. */
async function seedUsage(url: string): Promise<void> {
  const store = createKeyStore(url, { hasher: nodeHasher });
  try {
    const counts: UsageCount[] = Array.from({ length: ROWS }, (_, i) => ({
      keyId: `key_${String(i % 200).padStart(4, "0")}`,
      minute: T0 + Math.floor(i / 200) * 60_000,
      code: "VALID",
      count: 1 + (i % 3),
    }));
    await store.addUsage(counts);
  } finally {
    await store.close();
  }
}

function statsSuite(
  name: string,
  setup: () => Promise<{ url: string; secret?: string; drop: () => Promise<void> }>,
) {
  describe(`keygate db stats on ${name}`, () => {
    let env: Record<string, string>;
    let drop: (() => Promise<void>) | undefined;
    let secret: string | undefined;
    afterAll(async () => {
      await drop?.();
    });

    it("lists every table with its rows and size, after migrate and after usage was written", async () => {
      const ready = await setup();
      drop = ready.drop;
      secret = ready.secret;
      env = { KEYGATE_DATABASE_URL: ready.url };
      expect((await runCli(["migrate"], env)).code).toBe(0);

      const empty = await runCli(["db", "stats", "--json"], env);
      expect(empty.code, empty.stderr).toBe(0);
      const before = JSON.parse(empty.stdout) as StoreStats;
      const table = (stats: StoreStats, t: string) => stats.tables.find((row) => row.table === t);
      for (const t of [
        "keys",
        "consumers",
        "usage_minutes",
        "usage_hours",
        "usage_days",
        "webhook_deliveries",
      ]) {
        expect(table(before, t), t).toBeDefined();
      }
      expect(table(before, "usage_minutes")?.rows).toBe(0);

      await seedUsage(ready.url);
      const filled = await runCli(["db", "stats", "--json"], env);
      expect(filled.code, filled.stderr).toBe(0);
      const after = JSON.parse(filled.stdout) as StoreStats;
      const usage = table(after, "usage_minutes");
      expect(usage?.rows).toBe(ROWS);
      // At least the key text and three numbers per row, far more than the empty table's pages.
      expect(usage?.bytes ?? 0).toBeGreaterThan(ROWS * 20);
      expect(usage?.bytes ?? 0).toBeGreaterThan((table(before, "usage_minutes")?.bytes ?? 0) * 10);
      expect(after.totalBytes ?? 0).toBeGreaterThanOrEqual(usage?.bytes ?? 0);

      const text = await runCli(["db", "stats"], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^usage_minutes\s+20,000\s+\d+(\.\d)? (KiB|MiB)\s+\d+$/m);
      expect(text.stdout).toMatch(/^database: \d+(\.\d)? (KiB|MiB) \([\d,]+ bytes\)$/m);
      if (secret !== undefined) expect(`${text.stdout}${filled.stdout}${text.stderr}`).not.toContain(secret);
    });
  });
}

statsSuite("a SQLite file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keygate-db-stats-"));
  return {
    url: `sqlite:${join(dir, "keygate.db")}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

const database: TestDatabase | null = await createTestDatabase("dbstats");
if (database === null) skipSuite(requireServiceInCi("PostgreSQL"));
else {
  statsSuite("PostgreSQL", async () => {
    // A password in the URL (the test server trusts local connections, so any works) must never be printed.
    const url = new URL(database.url);
    url.password = "pw-never-printed-4f1c";
    return { url: url.toString(), secret: "pw-never-printed-4f1c", drop: () => database.drop() };
  });
}

describe("keygate db stats without a database", () => {
  it("refuses a SQLite path that does not exist instead of creating it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keygate-db-stats-missing-"));
    try {
      const result = await runCli(["db", "stats"], {
        KEYGATE_DATABASE_URL: `sqlite:${join(dir, "none.db")}`,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("no SQLite database at");
      expect(existsSync(join(dir, "none.db"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
