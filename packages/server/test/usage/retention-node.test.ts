/**
 * The retention job as a node runs it: `keygate start` wiring, the config's
 * `usage.retention` and `jobs.retentionIntervalMs`, on a real SQLite file and
 * over real HTTP — old minutes become hours and days, and
 * `GET /v1/keys/{id}/usage` answers the same day and hour totals as the data
 * that was written.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/config-schema.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { type RunningNode, startKeygate } from "../../src/start-keygate.ts";
import { consumerWithKey } from "../../src/store/contract/fixtures.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ADMIN_TOKEN = "retention-node-admin-token-0123456789abcdef";

interface Series {
  series: { at: string; total: number }[];
}

describe("retention job in a running node", () => {
  let dir: string;
  let node: RunningNode;
  let peer: SqliteKeyStore;
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const { key, unit } = consumerWithKey(1);
  // Three days ago (→ a day row), 36 hours ago (→ an hour row), ten minutes ago (stays a minute).
  const written = [
    { minute: today - 3 * DAY + 5 * HOUR + 7 * MIN, count: 11 },
    { minute: today - 3 * DAY + 9 * HOUR, count: 4 },
    { minute: Math.floor((now - 36 * HOUR) / MIN) * MIN, count: 5 },
    { minute: Math.floor((now - 10 * MIN) / MIN) * MIN, count: 3 },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-retention-node-"));
    const file = join(dir, "keygate.db");
    peer = new SqliteKeyStore({ path: file, hasher: nodeHasher });
    await peer.migrate();
    expect((await peer.commit(unit)).ok).toBe(true);
    await peer.addUsage(
      written.map((w) => ({ keyId: key.id, minute: w.minute, code: "VALID", count: w.count })),
    );
    const configFile = join(dir, "config.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        usage: { retention: { minuteDays: 1, hourDays: 2 } },
        jobs: { retentionIntervalMs: 100 },
      }),
    );
    const config = loadConfig(
      {
        KEYGATE_DATABASE_URL: `sqlite:${file}`,
        KEYGATE_ADMIN_PORT: "0",
        KEYGATE_ADMIN_TOKEN: ADMIN_TOKEN,
        KEYGATE_CONFIG: configFile,
      },
      "admin",
    );
    node = await startKeygate({ config, logger: pino({ level: "silent" }) });
  });

  afterAll(async () => {
    await node?.close();
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const usage = async (query: string): Promise<Series> => {
    const res = await fetch(`${node.adminUrl}/v1/keys/${key.id}/usage?${query}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Series;
  };

  it("rolls old minutes into hours and days and the usage API keeps the totals", async () => {
    const deadline = Date.now() + 20_000;
    let rows = { minutes: -1, hours: -1, days: -1 };
    while (Date.now() < deadline) {
      const stats = await peer.storeStats();
      const of = (t: string) => stats.tables.find((row) => row.table === t)?.rows ?? -1;
      rows = { minutes: of("usage_minutes"), hours: of("usage_hours"), days: of("usage_days") };
      if (rows.minutes === 1 && rows.days === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The two rows of three days ago are one day row; 36 hours ago is an hour row; ten minutes ago stays.
    expect(rows).toEqual({ minutes: 1, hours: 1, days: 1 });

    const from = new Date(today - 4 * DAY).toISOString();
    const to = new Date(today + DAY).toISOString();
    const days = await usage(`granularity=day&from=${from}&to=${to}`);
    const byDay = new Map(days.series.map((p) => [Date.parse(p.at), p.total]));
    const expected = new Map<number, number>();
    for (const w of written) {
      const day = Math.floor(w.minute / DAY) * DAY;
      expected.set(day, (expected.get(day) ?? 0) + w.count);
    }
    for (const [day, total] of expected) expect(byDay.get(day), new Date(day).toISOString()).toBe(total);
    expect(days.series.reduce((sum, p) => sum + p.total, 0)).toBe(23);

    // Hours younger than hourDays stay exact: the 36-hours-ago row is in its own hour.
    const hourOf = Math.floor((written[2]?.minute ?? 0) / HOUR) * HOUR;
    const hours = await usage(
      `granularity=hour&from=${new Date(hourOf - HOUR).toISOString()}&to=${new Date(hourOf + 2 * HOUR).toISOString()}`,
    );
    expect(hours.series.map((p) => p.total)).toEqual([0, 5, 0]);
  });
});

describe("config: usage.retention and webhooks.retentionDays", () => {
  it("defaults to 7 days of minutes, 90 of hours, 30 of finished deliveries, a pass a minute", () => {
    const config = fileConfigSchema.parse({});
    expect(config.usage.retention).toEqual({ minuteDays: 7, hourDays: 90 });
    expect(config.webhooks.retentionDays).toBe(30);
    expect(config.jobs.retentionIntervalMs).toBe(60_000);
  });

  it("refuses hours kept shorter than minutes, zero days and unknown keys", () => {
    const short = fileConfigSchema.safeParse({ usage: { retention: { minuteDays: 10, hourDays: 5 } } });
    expect(short.success).toBe(false);
    expect(short.error?.issues.map((i) => i.path.join("."))).toEqual(["usage.retention.hourDays"]);
    expect(fileConfigSchema.safeParse({ usage: { retention: { minuteDays: 0 } } }).success).toBe(false);
    expect(fileConfigSchema.safeParse({ webhooks: { retentionDays: 0 } }).success).toBe(false);
    expect(fileConfigSchema.safeParse({ usage: { keepForever: true } }).success).toBe(false);
  });
});
