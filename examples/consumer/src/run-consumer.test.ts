import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKeygate } from "../../../packages/client/test/support/fake-keygate.ts";
import { runConsumer } from "./run-consumer.ts";

let dir: string;
let keygate: FakeKeygate;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "keygate-consumer-"));
  keygate = new FakeKeygate();
});

afterEach(async () => {
  await keygate.close();
  await rm(dir, { recursive: true, force: true });
});

describe("example consumer", () => {
  it("keeps getting 200s through a self-rotation and an operator's emergency rollover", async () => {
    const baseUrl = await keygate.start();
    const keyFile = join(dir, "key");
    const first = keygate.issue();
    await writeFile(keyFile, first);
    const lines: string[] = [];
    const currentKey = () => readFileSync(keyFile, "utf8").trim();

    const summary = await runConsumer({
      baseUrl,
      keyFile,
      intervalMs: 20,
      maxRequests: 16,
      log: (line) => {
        lines.push(line);
        const requests = lines.filter((l) => /^\d{3} /.test(l)).length;
        if (requests === 3 && line.startsWith("200")) keygate.deprecate(first, new Date(Date.now() + 60_000));
        if (requests === 10 && line.startsWith("200")) {
          // Operator rolls the key over with zero overlap and drops the successor into the file.
          writeFileSync(keyFile, `${keygate.rotate(currentKey(), 0)}\n`);
        }
      },
    });

    expect(summary.statuses).toEqual(Array(16).fill(200));
    expect(summary.failures).toBe(0);
    expect(summary.rotations).toBe(2);
    expect(keygate.selfRotateCalls).toBe(1);
    expect(lines.some((l) => l.includes("self-rotated"))).toBe(true);
    expect(lines.some((l) => l.includes("picked up from store"))).toBe(true);
    expect(lines.some((l) => l.startsWith("200 POST /v2/orders"))).toBe(true);
    for (const secret of keygate.keys.keys()) expect(lines.join("\n")).not.toContain(secret);
  });
});
