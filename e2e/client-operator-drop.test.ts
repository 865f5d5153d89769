/**
 * `@keygate/client` against the real keygate: an operator rotates a key out
 * of band (admin API), drops the new secret into the consumers' key file the
 * way a secrets manager does (temporary file + rename), then revokes the old
 * key. No request fails: watching processes switch from the file before the
 * revocation; processes whose medium cannot be watched get `401 KEY_REVOKED`
 * once, reload the file and retry with the new key inside the same call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyHint } from "@keygate/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientWorker,
  dropKeyFile,
  type KeyView,
  seedKeyFile,
  startClientWorker,
  stopClientWorkers,
  type WorkerLine,
  waitUntil,
} from "./support/client-workers.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

const failed = (r: WorkerLine) => (r.status ?? 0) < 200 || (r.status ?? 0) >= 300;

describe("an operator rotates out of band, drops the new secret into the file, revokes the old key", () => {
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

  it("zero failed requests; unwatched processes recover through one retried 401 KEY_REVOKED", async () => {
    const keyFile = join(dir, "key");
    const old = await seedKeyFile(stack, { consumer: "exchange-bot", key: "prod" }, keyFile);

    const watching = [0, 1].map((i) =>
      startClientWorker(`watching-${i}`, { GATEWAY_URL: stack.gatewayUrl, KEY_FILE: keyFile }),
    );
    const unwatched = [0, 1].map((i) =>
      startClientWorker(`unwatched-${i}`, { GATEWAY_URL: stack.gatewayUrl, KEY_FILE: keyFile, WATCH: "0" }),
    );
    workers.push(...watching, ...unwatched);
    await waitUntil("every process made 3 requests", () =>
      workers.every((w) => w.requests().filter((r) => r.keyId === old.key.id).length >= 3),
    );

    // Out of band: the operator holds the new secret; the processes do not.
    const rotated = await stack.admin<{ secret: string; key: KeyView }>(
      "POST",
      `/v1/keys/${old.key.id}/rotate`,
      { overlapSeconds: 3600 },
    );
    expect(rotated.status).toBe(201);
    const successor = rotated.body;
    // The old key now answers with Deprecation; each process tries to self-rotate, is told 409 (not the
    // newest of its lineage), finds nothing newer in the file yet, and reports `deprecated`.
    await waitUntil("every process reported the old key deprecated", () =>
      workers.every((w) => w.lines().some((l) => l.type === "deprecated")),
    );

    await dropKeyFile(keyFile, successor.secret);
    await waitUntil("the watching processes switched from the file", () =>
      watching.every((w) => w.lines().some((l) => l.type === "rotated")),
    );
    const revokedAt = Date.now();
    const revoked = await stack.admin("POST", `/v1/keys/${old.key.id}/revoke?wait=true`, {
      reason: "rotated",
    });
    expect(revoked.status).toBe(200);

    await waitUntil("every process sends the successor", () =>
      workers.every((w) => w.requests().at(-1)?.keyId === successor.key.id),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stopClientWorkers(workers);

    const newHint = keyHint(successor.secret);
    for (const worker of workers) {
      const lines = worker.lines();
      const requests = worker.requests();
      expect(lines.at(-1), worker.name).toMatchObject({ type: "done", hint: newHint });
      expect(requests.filter(failed), worker.name).toEqual([]);
      expect(requests.filter((r) => r.t > revokedAt + 200).length, worker.name).toBeGreaterThan(0);
      for (const r of requests.filter((r) => r.t > revokedAt + 200)) {
        expect(r, worker.name).toMatchObject({ keyId: successor.key.id, hint: newHint });
      }
      expect(
        lines.filter((l) => l.type === "rotated"),
        worker.name,
      ).toEqual([expect.objectContaining({ newHint, source: "store" })]);
      // The only self-rotation attempts were the refused ones: the client never minted a third key.
      expect(
        lines.filter((l) => l.type === "self-rotate").every((l) => l.status === 409),
        worker.name,
      ).toBe(true);
    }

    // Watching processes had switched before the revocation.
    for (const worker of watching) {
      const switched = worker.lines().find((l) => l.type === "rotated");
      expect(switched?.t ?? Number.POSITIVE_INFINITY, worker.name).toBeLessThan(revokedAt);
    }
    // Unwatched ones learned of the new key from a 401 KEY_REVOKED, retried inside the same call.
    for (const worker of unwatched) {
      const lines = worker.lines();
      const refused = lines.filter((l) => l.type === "attempt" && l.code === "KEY_REVOKED");
      expect(refused.length, worker.name).toBeGreaterThan(0);
      for (const attempt of refused) {
        const attempts = lines.filter((l) => l.type === "attempt" && l.n === attempt.n);
        expect(
          attempts.map((a) => [a.status, a.hint]),
          worker.name,
        ).toEqual([
          [401, keyHint(old.secret)],
          [expect.any(Number), newHint],
        ]);
        const request = lines.find((l) => l.type === "request" && l.n === attempt.n);
        expect(request?.status, worker.name).toBeGreaterThanOrEqual(200);
        expect(request?.status, worker.name).toBeLessThan(300);
      }
      // A retried order was replayed with its JSON body (201 from the upstream, not a 400).
      const retriedOrders = refused.filter((a) => (a.n ?? 0) % 5 === 0);
      for (const attempt of retriedOrders) {
        expect(lines.find((l) => l.type === "request" && l.n === attempt.n)?.status).toBe(201);
      }
    }

    const lineage = (
      await stack.admin<{ data: KeyView[] }>("GET", `/v1/keys?consumerId=${old.consumerId}`)
    ).body.data.filter((k) => k.lineageId === old.key.lineageId);
    expect(lineage.map((k) => [k.version, k.status]).sort()).toEqual([
      [1, "revoked"],
      [2, "active"],
    ]);
    const everything = workers.map((w) => w.process.output()).join("\n");
    expect(everything).not.toContain(old.secret);
    expect(everything).not.toContain(successor.secret);
  }, 60_000);
});
