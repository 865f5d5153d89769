import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyHint } from "../src/key-shape.ts";
import { FakeKeygate } from "./support/fake-keygate.ts";

const run = promisify(execFile);
const consumerScript = fileURLToPath(new URL("./support/rotating-consumer.ts", import.meta.url));
const PROCESSES = 4;

interface ChildReport {
  status: number;
  hint: string;
  rotated: { source: string }[];
  errors: string[];
}

let dir: string;
let keygate: FakeKeygate;
let baseUrl: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "keygate-client-lock-"));
  keygate = new FakeKeygate();
  baseUrl = await keygate.start();
});

afterEach(async () => {
  await keygate.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts PROCESSES consumers on one key file. The fake holds their requests
 * until all have arrived and answers them together with Deprecation/Sunset,
 * and self/rotate is slow, so every process reacts inside the same window.
 */
async function race(extraEnv: Record<string, string> = {}) {
  const old = keygate.issue();
  keygate.deprecate(old, new Date(Date.now() + 3_600_000));
  keygate.holdUntil(PROCESSES);
  keygate.selfRotateDelayMs = 300;
  const keyFile = join(dir, "key");
  await writeFile(keyFile, `${old}\n`, { mode: 0o600 });
  const children = Array.from({ length: PROCESSES }, () =>
    run(process.execPath, ["--import", "tsx", consumerScript], {
      env: { ...process.env, BASE_URL: baseUrl, KEY_FILE: keyFile, ...extraEnv },
      timeout: 30_000,
    }),
  );
  const reports = (await Promise.all(children)).map(({ stdout }) => JSON.parse(stdout) as ChildReport);
  return { old, keyFile, reports };
}

describe("file store shared by several processes", () => {
  it("rotates exactly once, and every process ends on the successor", async () => {
    const { old, keyFile, reports } = await race();
    expect(keygate.selfRotateCalls).toBe(1);
    const successor = (await readFile(keyFile, "utf8")).trim();
    expect(successor).not.toBe(old);
    expect(keygate.keys.get(successor)?.version).toBe(2);
    for (const report of reports) {
      expect(report.status).toBe(200);
      expect(report.errors).toEqual([]);
      expect(report.hint).toBe(keyHint(successor));
      expect(report.rotated).toHaveLength(1);
    }
    expect(reports.filter((r) => r.rotated[0]?.source === "self")).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(["key"]);
  }, 60_000);

  it("control: without the lock the same race rotates more than once", async () => {
    await race({ NO_LOCK: "1" });
    expect(keygate.selfRotateCalls).toBeGreaterThan(1);
  }, 60_000);
});
