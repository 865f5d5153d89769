/**
 * `@keygate/client` against the real keygate (DESIGN: Client SDK, Rotation
 * semantics): four consumer processes share one key file; an operator asks
 * for a rotation without ever seeing the secret; the processes rotate once
 * between them, all switch, no request fails, and the old key stops at its
 * sunset.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyHint } from "@keygate/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientWorker,
  type KeyView,
  seedKeyFile,
  startClientWorker,
  stopClientWorkers,
  waitUntil,
} from "./support/client-workers.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

const PROCESSES = 4;
const SUNSET_IN_MS = 8_000;

describe("4 processes share a file store; an operator calls request-rotation", () => {
  let stack: KeygateStack;
  let dir: string;
  const workers: ClientWorker[] = [];

  beforeAll(async () => {
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), "keygate-client-e2e-"));
  });
  afterAll(async () => {
    await stopClientWorkers(workers);
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exactly one new key appears, all 4 switch to it, zero requests fail, the old key retires at its sunset", async () => {
    const keyFile = join(dir, "key");
    const old = await seedKeyFile(stack, { consumer: "quant-desk", key: "backtester" }, keyFile);

    for (let i = 0; i < PROCESSES; i++) {
      workers.push(startClientWorker(`worker-${i}`, { GATEWAY_URL: stack.gatewayUrl, KEY_FILE: keyFile }));
    }
    await waitUntil("every process made 3 requests with the first key", () =>
      workers.every((w) => w.requests().filter((r) => r.keyId === old.key.id).length >= 3),
    );

    const sunsetAt = Date.now() + SUNSET_IN_MS;
    const asked = await stack.admin("POST", `/v1/keys/${old.key.id}/request-rotation`, {
      sunsetAt: new Date(sunsetAt).toISOString(),
    });
    expect(asked.status).toBe(200);

    const keys = async () =>
      (await stack.admin<{ data: KeyView[] }>("GET", `/v1/keys?consumerId=${old.consumerId}`)).body.data;
    await waitUntil(
      "every process sends the successor",
      () => {
        const ids = workers.map((w) => w.requests().at(-1)?.keyId);
        return ids.every((id) => id !== undefined && id !== null && id !== old.key.id);
      },
      SUNSET_IN_MS,
    );
    const successor = (await keys()).find((k) => k.version === 2);
    expect(Date.now()).toBeLessThan(sunsetAt); // switched inside the overlap, not rescued by the sunset

    // Keep the traffic going past the sunset: requests still in flight with the old key must not fail either.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sunsetAt - Date.now()) + 1_500));
    await stopClientWorkers(workers);

    // Exactly one successor in the lineage, and it is what the shared file holds.
    const lineage = (await keys()).filter((k) => k.lineageId === old.key.lineageId);
    expect(lineage.map((k) => k.version).sort()).toEqual([1, 2]);
    if (successor === undefined) throw new Error("no version 2 in the lineage");
    const stored = readFileSync(keyFile, "utf8").trim();
    expect(stored).not.toBe(old.secret);
    const storedHint = keyHint(stored);
    const rotations = await stack.admin<{ data: { lineageId: string; newKeyId: string }[] }>(
      "GET",
      "/v1/rotations",
    );
    expect(rotations.body.data.filter((r) => r.lineageId === old.key.lineageId)).toEqual([
      expect.objectContaining({ newKeyId: successor.id }),
    ]);

    for (const worker of workers) {
      const lines = worker.lines();
      const requests = worker.requests();
      expect(lines.at(-1), worker.name).toMatchObject({ type: "done", hint: storedHint });
      // Zero failed requests: every response the application got was 2xx.
      expect(
        requests.filter((r) => (r.status ?? 0) < 200 || (r.status ?? 0) >= 300),
        worker.name,
      ).toEqual([]);
      expect(requests.length, worker.name).toBeGreaterThan(20);
      // The last requests (after the sunset) all went with the successor.
      const afterSunset = requests.filter((r) => r.t > sunsetAt + 500);
      expect(afterSunset.length, worker.name).toBeGreaterThan(0);
      for (const r of afterSunset)
        expect(r, worker.name).toMatchObject({ keyId: successor.id, hint: storedHint });
      // One switch per process; the one that rotated did it itself, the others picked it up from the file.
      expect(
        lines.filter((l) => l.type === "rotated"),
        worker.name,
      ).toEqual([expect.objectContaining({ oldHint: keyHint(old.secret), newHint: storedHint })]);
      expect(
        lines.filter((l) => l.type === "error"),
        worker.name,
      ).toEqual([]);
    }
    const selfRotated = workers.filter((w) =>
      w.lines().some((l) => l.type === "rotated" && l.source === "self"),
    );
    expect(selfRotated).toHaveLength(1);
    // The store's lock kept the others from even asking: one self/rotate call in all, and no 409.
    const selfRotateCalls = workers.flatMap((w) => w.lines().filter((l) => l.type === "self-rotate"));
    expect(selfRotateCalls.map((l) => l.status)).toEqual([201]);
    expect(workers.flatMap((w) => w.lines().filter((l) => l.type === "deprecated"))).toEqual([]);

    // The old key retired at its sunset.
    const direct = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
      headers: { "x-api-key": old.secret },
    });
    expect(direct.status).toBe(401);
    expect(((await direct.json()) as { code: string }).code).toBe("KEY_EXPIRED");
    let oldStatus: string | undefined;
    for (let tries = 0; tries < 50 && oldStatus !== "expired"; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      oldStatus = (await keys()).find((k) => k.id === old.key.id)?.status;
    }
    expect(oldStatus).toBe("expired");

    // Nothing the processes printed contains a secret.
    const everything = workers.map((w) => w.process.output()).join("\n");
    expect(everything).not.toContain(old.secret);
    expect(everything).not.toContain(stored);
  }, 60_000);
});
