/**
 * Retention at scale, on a real SQLite file and the real PostgreSQL
 * (required under CI=true): 30 days of per-minute usage for 1,000 keys,
 * bulk-inserted by the test (1.6 million rows), shrink to the configured
 * roll-ups — minutes for `minuteDays`, hours until `hourDays`, days before —
 * while every usage read returns the same totals before, during (a roll-up
 * SIGKILLed mid-batch) and after. Prints `db stats` numbers for
 * docs/operations.md ("Capacity and retention").
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KeyUsageSum, StoreStats, UsageRange, UsageSum } from "@keygate/core";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  RETENTION_BATCH_ROWS,
  type RetentionPolicy,
  retentionCutoffs,
  runRetentionPass,
} from "../../src/jobs/retention-job.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { consumerWithKey } from "../../src/store/contract/fixtures.ts";
import type { KeygateStore } from "../../src/store/create-key-store.ts";
import { createKeyStore } from "../../src/store/create-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite } from "../support/postgres.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const KEYS = 1000;
const DAYS = 30;
/** The test's clock: mid-hour, so the cut-offs (whole hours, whole days) differ from "now minus N days". */
const NOW = Date.UTC(2025, 5, 30, 12, 30, 17);
const END = Math.floor(NOW / MIN) * MIN + MIN;
const START = END - DAYS * DAY;
const POLICY: RetentionPolicy = { minuteDays: 7, hourDays: 14, webhookDays: 30, portalDays: 30 };
const CUT = retentionCutoffs(NOW, POLICY);
const keyId = (k: number) => `key_${String(k).padStart(4, "0")}`;
const KEY_IDS = Array.from({ length: KEYS }, (_, k) => keyId(k));
const SAMPLE = [0, 1, 2, 333, 499, 500, 777, 998, 999].map(keyId);

interface Row {
  readonly keyId: string;
  readonly minute: number;
  readonly code: string;
  readonly count: number;
}

/**
 * The generated traffic, deterministic: each key has a VALID row every 30
 * minutes (phase by key, counts 1–5), a RATE_LIMITED row every 300 minutes,
 * and requests without a key are counted every 10 minutes.
 */
function* generate(): Generator<Row> {
  const minutes = DAYS * 1440;
  for (let k = 0; k < KEYS; k++) {
    for (let m = (30 - ((7 * k) % 30)) % 30; m < minutes; m += 30) {
      const minute = START + m * MIN;
      yield { keyId: keyId(k), minute, code: "VALID", count: 1 + ((m + k) % 5) };
      if ((m + 7 * k) % 300 === 0) yield { keyId: keyId(k), minute, code: "RATE_LIMITED", count: 2 };
    }
  }
  for (let m = 0; m < minutes; m += 10)
    yield { keyId: "", minute: START + m * MIN, code: "KEY_NOT_FOUND", count: 3 };
}

/** What the roll-ups must leave: rows per table, and the request total. */
function expectation() {
  let minutes = 0;
  let requests = 0;
  let rows = 0;
  const hours = new Set<string>();
  const days = new Set<string>();
  for (const r of generate()) {
    rows++;
    requests += r.count;
    if (r.minute >= CUT.minutes) minutes++;
    else if (r.minute >= CUT.hours) hours.add(`${r.keyId}|${Math.floor(r.minute / HOUR)}|${r.code}`);
    else days.add(`${r.keyId}|${Math.floor(r.minute / DAY)}|${r.code}`);
  }
  return { rows, requests, minutes, hours: hours.size, days: days.size };
}
const EXPECTED = expectation();

/** Every read the API serves from the usage tables, over the generated range. */
async function reads(store: KeygateStore) {
  const days: UsageRange = {
    from: Math.floor(START / DAY) * DAY,
    to: Math.ceil(END / DAY) * DAY,
    bucketMs: DAY,
  };
  const hourly: UsageRange = { from: CUT.hours, to: Math.ceil(END / HOUR) * HOUR, bucketMs: HOUR };
  const lastDay: UsageRange = { from: END - DAY, to: END, bucketMs: MIN };
  const sortSums = <T extends UsageSum>(rows: T[]) =>
    rows.map((r) => `${(r as Partial<KeyUsageSum>).keyId ?? "*"}|${r.at}|${r.code}|${r.count}`).sort();
  const perKey = new Map<string, number>();
  for (const s of await store.keyUsage(KEY_IDS, { ...days, bucketMs: DAYS * DAY + 2 * DAY })) {
    perKey.set(s.keyId, (perKey.get(s.keyId) ?? 0) + s.count);
  }
  const total = (await store.totalUsage(days)).reduce((sum, s) => sum + s.count, 0);
  return {
    total,
    totalsByDay: sortSums(await store.totalUsage(days)),
    perKey: [...perKey.entries()].sort(),
    sampleDays: sortSums(await store.keyUsage(SAMPLE, days)),
    sampleHours: sortSums(await store.keyUsage(SAMPLE, hourly)),
    sampleMinutes: sortSums(await store.keyUsage(SAMPLE, lastDay)),
  };
}

const rowsOf = (stats: StoreStats, table: string) => stats.tables.find((t) => t.table === table)?.rows;
const bytesOf = (stats: StoreStats, table: string) => stats.tables.find((t) => t.table === table)?.bytes ?? 0;

function report(name: string, before: StoreStats, after: StoreStats): void {
  const line = (stats: StoreStats, t: string) =>
    `${t} ${rowsOf(stats, t)} rows ${bytesOf(stats, t)} B (${Math.round(bytesOf(stats, t) / Math.max(1, rowsOf(stats, t) ?? 1))} B/row)`;
  const tables = ["keys", "consumers", "audit_log", "outbox", "usage_minutes", "usage_hours", "usage_days"];
  console.log(
    [
      `[retention ${name}] ${EXPECTED.rows} generated rows, ${EXPECTED.requests} requests, ${KEYS} keys`,
      `  before: ${tables.map((t) => line(before, t)).join("; ")}; database ${before.totalBytes} B`,
      `  after:  ${tables.map((t) => line(after, t)).join("; ")}; database ${after.totalBytes} B`,
    ].join("\n"),
  );
}

/** Gives the space the roll-ups freed back: `VACUUM` (SQLite) or `VACUUM FULL` of the usage tables (PostgreSQL). */
async function compact(url: string): Promise<void> {
  if (url.startsWith("sqlite:")) {
    const db = new Database(url.slice("sqlite:".length));
    try {
      db.exec("vacuum");
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("vacuum full usage_minutes, usage_hours, usage_days");
  } finally {
    await client.end();
  }
}

const childScript = fileURLToPath(new URL("./support/roll-up-until-killed.ts", import.meta.url));

/** Starts a roll-up in another process and SIGKILLs it once it has committed `batches` batches and started the next. */
async function rollUpThenKill(url: string, batches: number): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, url, String(CUT.minutes), "1000"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let seen = 0;
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no progress from the roll-up process: ${stderr}`)),
      60_000,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk
        .toString()
        .split("\n")
        .filter((l) => l === "1000").length;
      if (seen >= batches) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`roll-up process exited (${code}) early: ${stderr}`)));
  });
  child.kill("SIGKILL");
  await exited;
}

function retentionSuite(
  name: string,
  open: () => Promise<{ store: KeygateStore; url: string }>,
  bulkInsert: (url: string, rows: Iterable<Row>) => Promise<void>,
): void {
  describe(`retention of 30 days × ${KEYS} keys: ${name}`, () => {
    it("shrinks to the configured roll-ups with the same totals before, during and after", async () => {
      const { store, url } = await open();
      try {
        for (let n = 0; n < KEYS; n++) {
          const result = await store.commit(consumerWithKey(n).unit);
          expect(result.ok).toBe(true);
        }
        await bulkInsert(url, generate());
        const statsBefore = await store.storeStats();
        expect(rowsOf(statsBefore, "usage_minutes")).toBe(EXPECTED.rows);
        const before = await reads(store);
        expect(before.total).toBe(EXPECTED.requests);
        expect(before.perKey).toHaveLength(KEYS);

        // A roll-up killed mid-run: whatever it committed is complete, what it had not is untouched.
        await rollUpThenKill(url, 3);
        const during = await store.storeStats();
        expect(rowsOf(during, "usage_hours") ?? 0).toBeGreaterThan(0);
        expect(rowsOf(during, "usage_minutes") ?? 0).toBeLessThan(EXPECTED.rows);
        expect(await reads(store)).toEqual(before);

        const clock = { now: () => NOW };
        const started = Date.now();
        const pass = await runRetentionPass(store, clock, POLICY, new AbortController().signal);
        const passMs = Date.now() - started;
        expect(pass.minutesRolledUp).toBeGreaterThan(0);
        const statsAfter = await store.storeStats();
        expect({
          minutes: rowsOf(statsAfter, "usage_minutes"),
          hours: rowsOf(statsAfter, "usage_hours"),
          days: rowsOf(statsAfter, "usage_days"),
        }).toEqual({ minutes: EXPECTED.minutes, hours: EXPECTED.hours, days: EXPECTED.days });
        expect(await reads(store)).toEqual(before);

        // Idempotent: a second pass finds nothing and changes nothing.
        expect(await runRetentionPass(store, clock, POLICY, new AbortController().signal)).toEqual({
          minutesRolledUp: 0,
          hoursRolledUp: 0,
          deliveriesPruned: 0,
          portalRecordsPruned: 0,
          operatorSessionsPruned: 0,
        });
        expect(await reads(store)).toEqual(before);
        if (name === "SQLite file") {
          // SQLite reuses freed pages but keeps the file: the usage tables themselves shrink.
          expect(bytesOf(statsAfter, "usage_minutes")).toBeLessThan(
            bytesOf(statsBefore, "usage_minutes") / 3,
          );
        }
        report(name, statsBefore, statsAfter);
        const batches =
          Math.ceil(pass.minutesRolledUp / RETENTION_BATCH_ROWS) +
          Math.ceil(pass.hoursRolledUp / RETENTION_BATCH_ROWS);
        console.log(
          `[retention ${name}] roll-up pass ${passMs} ms, ${batches} batches (${Math.round(passMs / batches)} ms each): ${JSON.stringify(pass)}`,
        );
        // Sizes once the freed space is compacted (VACUUM; PostgreSQL's autovacuum reuses it instead), for capacity docs.
        await compact(url);
        report(`${name}, compacted`, statsBefore, await store.storeStats());
      } finally {
        await store.close();
      }
    }, 900_000);
  });
}

const CHUNK = 20_000;

function* chunks(rows: Iterable<Row>): Generator<Row[]> {
  let chunk: Row[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

retentionSuite(
  "SQLite file",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "keygate-retention-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, "keygate.db")}`;
    const store = createKeyStore(url, { hasher: nodeHasher });
    await store.migrate();
    return { store, url };
  },
  async (url, rows) => {
    const db = new Database(url.slice("sqlite:".length));
    try {
      const insert = db.prepare(
        "insert into usage_minutes (key_id, minute, code, count) values (?, ?, ?, ?)",
      );
      const all = db.transaction((chunk: Row[]) => {
        for (const r of chunk) insert.run(r.keyId, r.minute, r.code, r.count);
      });
      for (const chunk of chunks(rows)) all(chunk);
    } finally {
      db.close();
    }
  },
);

const database = await createTestDatabase("retention30");
if (database === null) skipSuite(requireServiceInCi("PostgreSQL"));
else {
  afterAll(() => database.drop());
  retentionSuite(
    "PostgreSQL",
    async () => {
      const store = createKeyStore(database.url, { hasher: nodeHasher });
      await store.migrate();
      return { store, url: database.url };
    },
    async (url, rows) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const chunk of chunks(rows)) {
          await client.query(
            "insert into usage_minutes (key_id, minute, code, count) select * from unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])",
            [
              chunk.map((r) => r.keyId),
              chunk.map((r) => r.minute),
              chunk.map((r) => r.code),
              chunk.map((r) => r.count),
            ],
          );
        }
        // Fresh statistics, as autovacuum would gather them on a store that grew over 30 days.
        await client.query("analyze usage_minutes");
      } finally {
        await client.end();
      }
    },
  );
}
