import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { verifyStoredAuditChain } from "../../src/audit/verify-stored-chain.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { SqliteKeyStore } from "../../src/store/sql/sqlite-key-store.ts";

const WRITER = fileURLToPath(new URL("./fixtures/sqlite-writer.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "keygate-sqlite-mp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Writer {
  readonly child: ChildProcessWithoutNullStreams;
  waitFor(prefix: string): Promise<string>;
}

function startWriter(path: string, tag: string, units: number): Writer {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, path, tag, String(units)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout });
  const seen: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  lines.on("line", (line) => {
    seen.push(line);
    for (const w of waiters.filter((w) => line.startsWith(w.prefix))) w.resolve(line);
  });
  return {
    child,
    waitFor: (prefix) =>
      new Promise((resolve, reject) => {
        const line = seen.find((l) => l.startsWith(prefix));
        if (line !== undefined) return resolve(line);
        waiters.push({ prefix, resolve });
        child.once("exit", (code) => {
          const late = seen.find((l) => l.startsWith(prefix));
          if (late !== undefined) resolve(late);
          else reject(new Error(`writer ${tag} exited (${code}) before "${prefix}": ${stderr}`));
        });
      }),
  };
}

describe("SQLite shared by several processes", () => {
  it("keeps one gap-free, valid audit chain when two processes commit at the same time", async () => {
    const path = join(dir, "shared.db");
    const units = 60;
    const writers = ["a", "b"].map((tag) => startWriter(path, tag, units));
    try {
      await Promise.all(writers.map((w) => w.waitFor("ready")));
      for (const w of writers) w.child.stdin.write("go\n");
      const done = (await Promise.all(writers.map((w) => w.waitFor("done")))).map((line) => line.split(" "));
      expect(done.map(([, conflicts]) => conflicts)).toEqual(["0", "0"]);
      // The two processes really wrote at the same time: their write periods overlap.
      const starts = done.map(([, , start]) => Number(start));
      const ends = done.map(([, , , end]) => Number(end));
      expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    } finally {
      for (const w of writers) if (w.child.exitCode === null) w.child.kill();
    }

    const store = new SqliteKeyStore({ path, hasher: nodeHasher });
    try {
      const entries = await store.listAudit({ limit: 1000 });
      expect(entries).toHaveLength(2 * 2 * units);
      expect(await verifyStoredAuditChain(store, nodeHasher)).toEqual({
        ok: true,
        entries: 4 * units,
        headHash: entries.at(-1)?.hash,
      });
      expect(await store.listConsumers({ limit: 1000 })).toHaveLength(2 * units);
    } finally {
      await store.close();
    }
  });
});
