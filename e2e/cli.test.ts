/**
 * The `keygate` CLI against real nodes on SQLite and PostgreSQL: the operator
 * flows of the README tour, and `keygate audit verify` naming the first
 * edited, deleted or reordered audit entry after tampering in the database.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  requireServiceInCi,
  skipSuite,
  type TestDatabase,
} from "../packages/server/test/support/postgres.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { runCli } from "./support/run-cli.ts";

interface Tamperer {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function gatewayCall(stack: KeygateStack, secret: string) {
  const res = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=BTC`, {
    headers: { "x-api-key": secret },
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

function cliSuite(
  name: string,
  setup: () => Promise<{
    databaseUrl?: string;
    tamperer: (stack: KeygateStack) => Tamperer;
    drop?: () => Promise<void>;
  } | null>,
) {
  describe(`keygate CLI on ${name}`, () => {
    let stack: KeygateStack;
    let env: Record<string, string>;
    let tamper: Tamperer;
    let drop: (() => Promise<void>) | undefined;
    const cli = (...args: string[]) => runCli(args, env);

    beforeAll(async () => {
      const ready = await setup();
      if (!ready) throw new Error("setup returned nothing");
      drop = ready.drop;
      stack = await startStack(ready.databaseUrl ? { databaseUrl: ready.databaseUrl } : {});
      env = { KEYGATE_URL: stack.adminUrl, KEYGATE_ADMIN_TOKEN: stack.adminToken };
      tamper = ready.tamperer(stack);
    });
    afterAll(async () => {
      await tamper?.close();
      await stack?.stop();
      await drop?.();
    });

    it("runs the operator tour: consumer, key, rotate, rollback, complete, incident, revoke", async () => {
      const consumer = await cli("consumers", "create", "CLI Co", "--json");
      expect(consumer.code, consumer.stderr).toBe(0);
      const consumerId = (JSON.parse(consumer.stdout) as { id: string }).id;

      const created = await cli(
        "keys",
        "create",
        consumerId,
        "--name",
        "Production",
        "--scopes",
        "read,trade",
        "--json",
      );
      expect(created.code, created.stderr).toBe(0);
      const { key, secret } = JSON.parse(created.stdout) as { key: { id: string }; secret: string };
      expect((await gatewayCall(stack, secret)).status).toBe(200);

      const listed = await cli("keys", "list", "--consumer", consumerId);
      expect(listed.stdout).toContain(key.id);
      expect(listed.stdout).not.toContain(secret);

      const rotated = await cli("keys", "rotate", key.id, "--overlap", "600", "--json");
      expect(rotated.code, rotated.stderr).toBe(0);
      const first = JSON.parse(rotated.stdout) as {
        rotation: { id: string };
        key: { id: string };
        secret: string;
      };
      const deprecated = await gatewayCall(stack, secret);
      expect(deprecated.status).toBe(200);
      expect(deprecated.headers.get("deprecation")).toMatch(/^@\d+$/);
      expect(deprecated.headers.get("sunset")).not.toBeNull();

      const rolledBack = await cli("rotations", "rollback", first.rotation.id);
      expect(rolledBack.code, rolledBack.stderr).toBe(0);
      expect((await gatewayCall(stack, secret)).headers.get("deprecation")).toBeNull();
      const revokedSuccessor = await gatewayCall(stack, first.secret);
      expect([revokedSuccessor.status, revokedSuccessor.body.code]).toEqual([401, "KEY_REVOKED"]);

      const again = JSON.parse(
        (await cli("keys", "rotate", key.id, "--overlap", "600", "--json")).stdout,
      ) as {
        rotation: { id: string };
        key: { id: string };
        secret: string;
      };
      const completed = await cli("rotations", "complete", again.rotation.id);
      expect(completed.code, completed.stderr).toBe(0);
      const retired = await gatewayCall(stack, secret);
      expect([retired.status, retired.body.code]).toEqual([401, "KEY_EXPIRED"]);
      expect((await gatewayCall(stack, again.secret)).status).toBe(200);

      const incident = await cli("incident", again.key.id);
      expect(incident.code, incident.stderr).toBe(0);
      expect(incident.stdout).toMatch(/Next steps/);
      const rolled = incident.stdout.match(/kg_live_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}/);
      expect(rolled).not.toBeNull();
      const afterIncident = await gatewayCall(stack, again.secret);
      expect([afterIncident.status, afterIncident.body.code]).toEqual([401, "KEY_EXPIRED"]);
      expect((await gatewayCall(stack, rolled?.[0] ?? "")).status).toBe(200);

      const newestId = (
        JSON.parse(
          (await cli("keys", "list", "--consumer", consumerId, "--status", "active", "--json")).stdout,
        ) as { id: string }[]
      )[0]?.id;
      expect(newestId).toBeDefined();
      const revoked = await cli("keys", "revoke", newestId ?? "", "--reason", "customer offboarded");
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await gatewayCall(stack, rolled?.[0] ?? "")).body.code).toBe("KEY_REVOKED");

      // Usage is flushed off the hot path about every second.
      await new Promise((r) => setTimeout(r, 1500));
      const usage = await cli("usage", key.id, "--json");
      expect(usage.code, usage.stderr).toBe(0);
      const series = (
        JSON.parse(usage.stdout) as { series: { total: number; outcomes: Record<string, number> }[] }
      ).series;
      const outcomes = series.reduce<Record<string, number>>((acc, b) => {
        for (const [code, n] of Object.entries(b.outcomes)) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {});
      expect(outcomes.VALID).toBeGreaterThanOrEqual(3);
      expect(outcomes.KEY_EXPIRED).toBeGreaterThanOrEqual(1);
      const plan = await cli("usage", "--consumer", consumerId);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(/plan: none/);

      const bad = await cli("keys", "rotate", key.id, "--overlap", "60");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/CONFLICT \(409\)/);
    });

    it("audit verify passes on an intact chain and names the first tampered entry", async () => {
      const intact = await cli("audit", "verify");
      expect(intact.code, intact.stderr).toBe(0);
      expect(intact.stdout).toMatch(/audit chain intact: \d+ entries/);

      await tamper.exec(`update audit_log set action = 'key.nothing_to_see' where seq = 3`);
      const edited = await cli("audit", "verify");
      expect(edited.code).toBe(1);
      expect(edited.stderr).toMatch(/BROKEN at entry 3: edited/);
      await tamper.exec(
        `update audit_log set action = (select action from audit_log where seq = 4) where seq = 3`,
      );

      await tamper.exec(`delete from audit_log where seq = 2`);
      const deleted = await cli("audit", "verify");
      expect(deleted.code).toBe(1);
      expect(deleted.stderr).toMatch(/BROKEN at entry 2: missing/);
    });

    it("names a reordered entry", async () => {
      await tamper.exec(`update audit_log set seq = -5 where seq = 5`);
      await tamper.exec(`update audit_log set seq = 5 where seq = 6`);
      await tamper.exec(`update audit_log set seq = 6 where seq = -5`);
      const verdict = await cli("audit", "verify");
      expect(verdict.code).toBe(1);
      expect(verdict.stderr).toMatch(/BROKEN at entry [2-5]/);
    });
  });
}

cliSuite("SQLite", async () => ({
  tamperer: (stack) => {
    const db = new Database(`${stack.dataDir}/keygate.db`);
    db.pragma("busy_timeout = 5000");
    return {
      exec: async (sql) => {
        db.exec(sql);
      },
      close: async () => {
        db.close();
      },
    };
  },
}));

let database: TestDatabase | null = null;
const reachable = await createTestDatabase("cli").then((d) => {
  database = d;
  return d !== null;
});
if (reachable && database) {
  const db: TestDatabase = database;
  cliSuite("PostgreSQL", async () => ({
    databaseUrl: db.url,
    drop: () => db.drop(),
    tamperer: () => {
      const client = new pg.Client({ connectionString: db.url });
      const connected = client.connect();
      return {
        exec: async (sql) => {
          await connected;
          await client.query(sql);
        },
        close: async () => {
          await connected;
          await client.end();
        },
      };
    },
  }));
} else {
  skipSuite(requireServiceInCi("PostgreSQL"));
}
