import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";

/** The server tests use: `KEYGATE_TEST_POSTGRES_URL`, else the local default. Its database is only used to create others. */
export const TEST_POSTGRES_URL =
  process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A throwaway database; `drop()` removes it even while connections remain. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Whether the test server answers at all (2 s connect timeout). */
export async function postgresReachable(): Promise<boolean> {
  try {
    await withAdminClient((client) => client.query("select 1"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates a fresh, uniquely named database on the test server (one per test
 * file, so files running in parallel never share state), or returns null when
 * the server is unreachable. Pair with `requireServiceInCi`.
 */
export async function createTestDatabase(label = "t"): Promise<TestDatabase | null> {
  if (!(await postgresReachable())) return null;
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 20);
  const name = `kg_${safeLabel}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient((client) => client.query(`create database "${name}"`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`)).then(
        () => undefined,
      ),
  };
}

/**
 * Call when a service a suite needs is unreachable. On a laptop it returns the
 * skip reason (`skipped: PostgreSQL not reachable`) for `describe.skip`; under
 * `CI=true` it throws, because CI must never pass by skipping.
 */
export function requireServiceInCi(name: string): string {
  const reason = `skipped: ${name} not reachable`;
  if (process.env.CI === "true")
    throw new Error(`${name} is required when CI=true, but it is not reachable (${reason})`);
  return reason;
}

/** Registers a visibly skipped suite named by `reason`, so the report shows why nothing ran. */
export function skipSuite(reason: string): void {
  describe.skip(reason, () => {
    it("needs the service", () => undefined);
  });
}
