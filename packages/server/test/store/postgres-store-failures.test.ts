import { createServer, type Server, type Socket } from "node:net";
import { KeygateError } from "@keygate/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { consumer, consumerWithKey } from "../../src/store/contract/fixtures.ts";
import { PostgresKeyStore } from "../../src/store/sql/postgres-key-store.ts";
import { createTestDatabase, requireServiceInCi, skipSuite } from "../support/postgres.ts";

async function unavailable(promise: Promise<unknown>): Promise<KeygateError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeygateError);
  expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", status: 503 });
  return error as KeygateError;
}

/** A TCP port that accepts connections and never says a word, like a host behind a broken proxy. */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, server, sockets };
}

describe("PostgresKeyStore without a server", () => {
  it("reports a refused connection as STORE_UNAVAILABLE without echoing the URL", async () => {
    const store = new PostgresKeyStore({
      connectionString: "postgres://keygate:s3cret-pw@127.0.0.1:1/keygate",
      hasher: nodeHasher,
    });
    const error = await unavailable(store.migrate());
    expect(error.detail).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toContain("s3cret-pw");
    await unavailable(store.ping());
    await store.close();
  });

  it("gives up connecting after the connect timeout", async () => {
    const silent = await silentServer();
    const store = new PostgresKeyStore({
      connectionString: `postgres://root@127.0.0.1:${silent.port}/keygate`,
      hasher: nodeHasher,
      connectTimeoutMs: 300,
    });
    try {
      await unavailable(store.getKey("key_x"));
    } finally {
      await store.close();
      for (const socket of silent.sockets) socket.destroy();
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });
});

const database = await createTestDatabase("failures");

if (database === null) {
  skipSuite(requireServiceInCi("PostgreSQL"));
} else {
  const url = database.url;
  afterAll(() => database.drop());
  const open = () => new PostgresKeyStore({ connectionString: url, hasher: nodeHasher });

  async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  describe("PostgresKeyStore against a real server", () => {
    it("migrates once when several nodes start on a fresh database at the same moment", async () => {
      const fresh = await createTestDatabase("race");
      if (fresh === null) throw new Error("PostgreSQL went away");
      const stores = Array.from(
        { length: 4 },
        () => new PostgresKeyStore({ connectionString: fresh.url, hasher: nodeHasher }),
      );
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        await Promise.all(stores.map((s) => s.migrate()));
        expect(await stores[2]?.commit(consumerWithKey(1).unit)).toEqual({ ok: true, auditSeqs: [1] });
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await fresh.drop();
      }
    });

    it("refuses text PostgreSQL cannot store as VALIDATION_FAILED, applying nothing", async () => {
      const store = open();
      await store.migrate();
      const c = consumer("con_nul", { metadata: { note: "a\u0000b" } });
      const error = await store
        .commit({ writes: [{ type: "insertConsumer", consumer: c }], audit: [], events: [] })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
      expect(await store.getConsumer(c.id)).toBeNull();
      await store.close();
    });

    it("reports an unknown database as STORE_UNAVAILABLE", async () => {
      const missing = new URL(url);
      missing.pathname = "/kg_database_that_does_not_exist";
      const store = new PostgresKeyStore({ connectionString: missing.toString(), hasher: nodeHasher });
      const error = await unavailable(store.ping());
      expect(error.detail).toContain("3D000");
      await store.close();
    });

    it("recovers by itself after the server terminates its connections", async () => {
      const store = open();
      await store.migrate();
      await withClient((c) =>
        c.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
          [database.name],
        ),
      );
      // The first call may still meet a dying connection; it must then say so properly.
      await store.ping().catch((e: unknown) => expect(e).toMatchObject({ code: "STORE_UNAVAILABLE" }));
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    });

    it("applies nothing of a commit whose connection dies mid-transaction, and reports STORE_UNAVAILABLE", async () => {
      const store = open();
      await store.migrate();
      const { unit, consumer: c } = consumerWithKey(7);
      await withClient(async (locker) => {
        // Hold the audit head so the commit blocks inside its transaction, after its writes.
        await locker.query("begin");
        await locker.query("select * from audit_head for update");
        const pending = store.commit(unit);
        pending.catch(() => undefined); // awaited below; it may settle before then
        let victim: number | undefined;
        for (let i = 0; i < 100 && victim === undefined; i++) {
          const rows = await locker.query<{ pid: number }>(
            "select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
            [database.name],
          );
          victim = rows.rows[0]?.pid;
          if (victim === undefined) await new Promise((r) => setTimeout(r, 20));
        }
        expect(victim).toBeDefined();
        await withClient((killer) => killer.query("select pg_terminate_backend($1)", [victim]));
        await unavailable(pending);
        await locker.query("rollback");
      });
      expect(await store.getConsumer(c.id)).toBeNull();
      expect(await store.listAudit({ limit: 10 })).toEqual([]);
      expect(
        await store.commit({
          writes: [{ type: "insertConsumer", consumer: consumer("con_after") }],
          audit: [],
          events: [],
        }),
      ).toEqual({
        ok: true,
        auditSeqs: [],
      });
      await store.close();
    });
  });
}
