import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";

/** The installed PostgreSQL major version (Debian layout), or undefined. */
function installedVersion(): string | undefined {
  try {
    return readdirSync("/usr/lib/postgresql")
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))[0];
  } catch {
    return undefined;
  }
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Why a private PostgreSQL cannot be made here, or null when it can: it
 * needs Debian's cluster tools (`pg_createcluster`, `pg_ctlcluster`) and
 * root, which owns them in CI.
 */
export async function ownPostgresUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return "private PostgreSQL clusters need root (pg_createcluster)";
  if (installedVersion() === undefined) return "no PostgreSQL server installed under /usr/lib/postgresql";
  const tools = ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster"];
  const path = (process.env.PATH ?? "").split(":");
  const missing = tools.filter((tool) => !path.some((dir) => existsSync(join(dir, tool))));
  return missing.length === 0 ? null : `${missing.join(", ")} (postgresql-common) not installed`;
}

/**
 * A private PostgreSQL cluster on a free loopback port, with trust auth for
 * the `postgres` superuser, for tests that stop and restart PostgreSQL
 * without touching the machine's shared server. `stop()` and `start()` keep
 * the data; `drop()` stops it and removes the cluster (`pg_dropcluster`).
 */
export class OwnPostgres {
  readonly version: string;
  readonly name: string;
  readonly port: number;

  private constructor(version: string, name: string, port: number) {
    this.version = version;
    this.name = name;
    this.port = port;
  }

  /** Creates and starts the cluster, and creates `database` in it. */
  static async start(database = "keygate"): Promise<OwnPostgres> {
    const version = installedVersion();
    if (version === undefined) throw new Error("no PostgreSQL server installed");
    await dropOrphans(version);
    const name = `kgtest-${process.pid}-${randomBytes(3).toString("hex")}`;
    const server = new OwnPostgres(version, name, await freePort());
    await run("pg_createcluster", [
      version,
      name,
      "-p",
      String(server.port),
      "--start-conf=manual",
      "-o",
      "fsync=off",
      "--",
      "--auth=trust",
    ]);
    try {
      await server.start();
      await server.query(`create database "${database}"`);
    } catch (error) {
      await server.drop();
      throw error;
    }
    return server;
  }

  /** URL of `database` as the superuser (trust auth, no password). */
  url(database = "keygate"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await run("pg_ctlcluster", ["--skip-systemctl-redirect", this.version, this.name, "start"]);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await this.query("select 1");
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * Stops the server. `fast` (default) ends every session and shuts down
   * cleanly; `immediate` is a crash stop (recovery on next start).
   */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await run("pg_ctlcluster", ["--skip-systemctl-redirect", this.version, this.name, "stop", "-m", mode]);
  }

  /** Stops the cluster if it runs and deletes it with its data and config. */
  async drop(): Promise<void> {
    await run("pg_dropcluster", ["--stop", this.version, this.name]);
  }

  async query(text: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url("postgres"), connectionTimeoutMillis: 2000 });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }
}

/**
 * Drops test clusters left by a test process that died before its `afterAll`
 * (named `kgtest-<pid>-…`, that pid no longer running), so they do not pile up.
 */
async function dropOrphans(version: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(`/etc/postgresql/${version}`).filter((name) => name.startsWith("kgtest-"));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split("-")[1]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    await run("pg_dropcluster", ["--stop", version, name]).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
