import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditEntry, auditEntryHash, type KeyStore } from "@keygate/core";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyStoredAuditChain } from "../../src/audit/verify-stored-chain.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { audit, consumer, unit } from "../../src/store/contract/fixtures.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite } from "../support/postgres.ts";
import { RESET_SQL_STORE } from "./sql-store-reset.ts";

/** A store plus a way around it: raw SQL on the same database, `?` placeholders. */
interface Tamperable {
  readonly store: KeyStore;
  exec(statement: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const ENTRIES = 10;

/** Five changes with two audit entries each: seqs 1–10. */
async function writeChain(store: KeyStore): Promise<AuditEntry[]> {
  for (let i = 0; i < ENTRIES / 2; i++) {
    const c = consumer(`con_${i}`);
    const result = await store.commit(
      unit(
        [{ type: "insertConsumer", consumer: c }],
        [
          audit("consumer.create", c.id, { i, name: `Ünïcode ${i} 🗝️` }),
          audit("consumer.plan", c.id, { plan: "pro" }),
        ],
      ),
    );
    if (!result.ok) throw new Error(result.conflict);
  }
  return store.listAudit({ limit: 100 });
}

function tamperSuite(name: string, open: () => Promise<Tamperable>): void {
  describe(`audit chain tampering: ${name}`, () => {
    let t: Tamperable;
    let entries: AuditEntry[];
    beforeEach(async () => {
      t = await open();
      entries = await writeChain(t.store);
    });
    afterEach(() => t.close());

    const entry = (seq: number): AuditEntry => {
      const found = entries.find((e) => e.seq === seq);
      if (!found) throw new Error(`no entry ${seq}`);
      return found;
    };
    const verify = (pageSize?: number) => verifyStoredAuditChain(t.store, nodeHasher, { pageSize });

    it("verifies an untouched chain, in one page or many", async () => {
      const ok = { ok: true, entries: ENTRIES, headHash: entry(ENTRIES).hash };
      expect(await verify()).toEqual(ok);
      expect(await verify(3)).toEqual(ok);
    });

    it("names an entry whose data was edited", async () => {
      await t.exec(`update audit_log set data = ? where seq = 4`, [JSON.stringify({ i: 99 })]);
      expect(await verify()).toEqual({ ok: false, seq: 4, problem: "edited" });
    });

    it("names an edited entry on a later page", async () => {
      await t.exec(`update audit_log set action = ? where seq = 8`, ["consumer.delete"]);
      expect(await verify(3)).toEqual({ ok: false, seq: 8, problem: "edited" });
    });

    it("names a deleted middle entry", async () => {
      await t.exec(`delete from audit_log where seq = 5`);
      expect(await verify()).toEqual({ ok: false, seq: 5, problem: "missing" });
    });

    it("names the first of two entries whose seqs were swapped", async () => {
      await t.exec(`update audit_log set seq = -3 where seq = 3`);
      await t.exec(`update audit_log set seq = 3 where seq = 6`);
      await t.exec(`update audit_log set seq = 6 where seq = -3`);
      expect(await verify()).toMatchObject({ ok: false, seq: 3 });
    });

    it("names the first of two entries whose contents were swapped", async () => {
      const set = `update audit_log set at = ?, actor = ?, action = ?, target_type = ?, target_id = ?, data = ?,
        prev_hash = ?, hash = ? where seq = ?`;
      for (const [from, to] of [
        [7, 8],
        [8, 7],
      ] as const) {
        const e = entry(from);
        await t.exec(set, [
          e.at,
          JSON.stringify(e.actor),
          e.action,
          e.targetType,
          e.targetId,
          JSON.stringify(e.data),
          e.prevHash,
          e.hash,
          to,
        ]);
      }
      expect(await verify()).toMatchObject({ ok: false, seq: 7 });
    });

    it("names the last entry when it was deleted, though the shorter chain is self-consistent", async () => {
      await t.exec(`delete from audit_log where seq = ?`, [ENTRIES]);
      expect(await verify()).toEqual({ ok: false, seq: ENTRIES, problem: "missing" });
    });

    it("names the last entry when it was rewritten with a valid hash of its own", async () => {
      const last = entry(ENTRIES);
      const forged = { ...last, data: { plan: "enterprise" } };
      const hash = auditEntryHash(nodeHasher, last.seq, last.prevHash, forged);
      await t.exec(`update audit_log set data = ?, hash = ? where seq = ?`, [
        JSON.stringify(forged.data),
        hash,
        ENTRIES,
      ]);
      expect(await verify()).toEqual({ ok: false, seq: ENTRIES, problem: "edited" });
    });

    it("names the first entry past a head that was rolled back", async () => {
      await t.exec(`update audit_head set seq = ?, hash = ?`, [7, entry(7).hash]);
      expect(await verify()).toEqual({ ok: false, seq: 8, problem: "broken_link" });
    });
  });
}

// SQLite: a new real file per test.
const sqliteDir = mkdtempSync(join(tmpdir(), "keygate-tamper-"));
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));
let fileNo = 0;

tamperSuite("SQLite", async () => {
  const path = join(sqliteDir, `audit-${++fileNo}.db`);
  const store = new SqliteKeyStore({ path, hasher: nodeHasher });
  await store.migrate();
  const raw = new Database(path);
  return {
    store,
    exec: async (statement, params = []) => {
      raw.prepare(statement).run(...params);
    },
    close: async () => {
      raw.close();
      await store.close();
    },
  };
});

// PostgreSQL: one database for this file, emptied per test.
const database = await createTestDatabase("tamper");
if (database === null) {
  skipSuite(requireServiceInCi("PostgreSQL"));
} else {
  afterAll(() => database.drop());
  tamperSuite("PostgreSQL", async () => {
    const store = new PostgresKeyStore({ connectionString: database.url, hasher: nodeHasher });
    await store.migrate();
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    for (const statement of RESET_SQL_STORE) await raw.query(statement);
    return {
      store,
      exec: async (statement, params = []) => {
        let n = 0;
        await raw.query(
          statement.replace(/\?/g, () => `$${++n}`),
          params,
        );
      },
      close: async () => {
        await raw.end();
        await store.close();
      },
    };
  });
}
