/**
 * Issue 2, proof 4 (gateway port): malformed keys, headers and bodies thrown
 * at a real gateway process. No 5xx, every refusal is problem+json with a
 * catalogued code, and nothing changes: the audit log, the keys, and the
 * valid key's access are as before. (The admin port has its own fuzz suite in
 * packages/server/test/admin/fuzz.test.ts.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorCatalogue, generateKeySecret } from "@keygate/core";
import fc from "fast-check";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoRandom } from "../packages/server/src/platform/node-platform.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";

const CODES = new Set(Object.keys(errorCatalogue));

/** One character of `key` replaced: a typo the checksum must catch. */
function mutate(key: string, at: number, by: string): string {
  const i = at % key.length;
  const next = key.slice(0, i) + by + key.slice(i + 1);
  return next === key ? `${key.slice(0, i)}${by === "a" ? "b" : "a"}${key.slice(i + 1)}` : next;
}

describe("gateway under malformed input (real process)", () => {
  let stack: KeygateStack;
  let pool: Pool;
  let valid: string;

  beforeAll(async () => {
    // Per-IP throttling of failed authentications (429 before any lookup) would
    // answer most of this suite after 300 failures; it has its own tests.
    const dir = mkdtempSync(join(tmpdir(), "keygate-fuzz-"));
    const configFile = join(dir, "config.json");
    writeFileSync(configFile, JSON.stringify({ alerts: { throttleFailuresPerMinute: 0 } }));
    stack = await startStack({ configFile });
    pool = new Pool(stack.gatewayUrl, { connections: 4 });
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "fuzz" });
    const created = await stack.admin<{ secret: string }>("POST", `/v1/consumers/${consumer.body.id}/keys`, {
      name: "valid",
    });
    valid = created.body.secret;
  });
  afterAll(async () => {
    await pool?.close();
    await stack?.stop();
  });

  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 200,
  });
  const keyArbFor = (valid: string) =>
    fc.oneof(
      printable,
      fc.string({ minLength: 1000, maxLength: 12_000, unit: fc.constantFrom("k", "g", "_", "A", "9") }),
      fc
        .tuple(fc.nat(), fc.constantFrom("a", "Z", "0", "_", "-", "~"))
        .map(([at, by]) => mutate(valid, at, by)),
      fc.constant(valid.replace("kg_live_", "kg_prod_")),
      fc.constant(valid.slice(0, -1)),
      fc.constant(`${valid}x`), // (trailing spaces are not a typo: HTTP strips them)
      fc.constant(generateKeySecret(cryptoRandom, "test")), // well-formed, unknown
      fc.constant(""),
    );

  it("answers every malformed request with a catalogued problem, never a 5xx", async () => {
    const keyArb = keyArbFor(valid);
    const auditBefore = await stack.admin<{ data: unknown[] }>("GET", "/v1/audit?limit=1000");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        fc.oneof(
          fc.constant("/v2/daily-ohlcv?symbol=ETH"),
          fc.constant("/v2/orders"),
          printable.map((p) => `/${encodeURIComponent(p)}`),
        ),
        fc.record({
          apiKey: fc.option(keyArb, { nil: undefined }),
          bearer: fc.option(keyArb, { nil: undefined }),
          scheme: fc.constantFrom("Bearer ", "bearer ", "Basic ", "Token "),
        }),
        fc.option(fc.uint8Array({ maxLength: 4096 }), { nil: undefined }),
        async (method, path, creds, body) => {
          const headers: Record<string, string> = {};
          if (creds.apiKey !== undefined) headers["x-api-key"] = creds.apiKey;
          if (creds.bearer !== undefined) headers.authorization = `${creds.scheme}${creds.bearer}`;
          // A valid key must never sneak in: both carriers hold invalid keys or nothing.
          const sendsValid =
            creds.apiKey === valid || (creds.bearer === valid && creds.scheme.toLowerCase() === "bearer ");
          fc.pre(!sendsValid);
          const res = await pool.request({
            method,
            path,
            headers,
            body: method === "GET" ? undefined : (body ?? null),
          });
          const text = await res.body.text();
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
          const problem = JSON.parse(text) as {
            code: string;
            status: number;
            type: string;
            title: string;
            instance: string;
          };
          expect(CODES.has(problem.code)).toBe(true);
          expect(problem.status).toBe(res.statusCode);
          expect(text.includes(valid)).toBe(false);
          if (res.statusCode === 401)
            expect(res.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
        },
      ),
      { numRuns: 300 },
    );
    const auditAfter = await stack.admin<{ data: unknown[] }>("GET", "/v1/audit?limit=1000");
    expect(auditAfter.body.data.length).toBe(auditBefore.body.data.length);
    const ok = await pool.request({
      method: "GET",
      path: "/v2/daily-ohlcv?symbol=ETH",
      headers: { "x-api-key": valid },
    });
    await ok.body.text();
    expect(ok.statusCode).toBe(200);
  }, 120_000);

  it("survives raw bytes no HTTP client would send (non-ASCII and control bytes in headers, oversized header block)", async () => {
    const raw = (request: Buffer | string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(stack.gatewayUrl).port), "127.0.0.1");
        let out = "";
        socket.on("data", (d) => {
          out += d.toString("latin1");
        });
        socket.on("close", () => resolve(out));
        socket.on("error", () => resolve(out));
        socket.end(request);
      });
    const cases = [
      Buffer.concat([
        Buffer.from("GET /v2/daily-ohlcv HTTP/1.1\r\nHost: x\r\nx-api-key: "),
        Buffer.from("kg_live_ü€😀", "utf8"),
        Buffer.from("\r\nConnection: close\r\n\r\n"),
      ]),
      `GET /v2/daily-ohlcv HTTP/1.1\r\nHost: x\r\nx-api-key: ${valid.slice(0, 20)}\x01\x02${valid.slice(22)}\r\nConnection: close\r\n\r\n`,
      `GET /v2/daily-ohlcv HTTP/1.1\r\nHost: x\r\nx-api-key: ${"A".repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      `GET /v2/daily-ohlcv HTTP/1.1\r\nHost: x\r\nx-api-key: ${valid}x\r\nx-api-key: ${valid}\r\nConnection: close\r\n\r\n`,
    ];
    for (const request of cases) {
      const answer = await raw(request);
      const status = Number(answer.slice(9, 12));
      expect(status, answer.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(status, answer.slice(0, 200)).toBeLessThan(500);
      expect(answer.includes(valid)).toBe(false);
    }
    const ok = await pool.request({
      method: "GET",
      path: "/v2/daily-ohlcv?symbol=ETH",
      headers: { "x-api-key": valid },
    });
    await ok.body.text();
    expect(ok.statusCode).toBe(200);
  });
});
