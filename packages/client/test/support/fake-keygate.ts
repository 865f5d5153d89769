import { randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small real HTTP server implementing the slice of keygate's public
 * contract the SDK depends on (DESIGN.md): `x-api-key` auth with 401
 * problem+json codes, `Deprecation`/`Sunset`/`Link` on responses made with a
 * deprecated key, and `POST /v1/self/rotate` (201 `{key, secret}`, 409 when
 * the key is not the newest of its lineage). Every other path echoes the
 * request. It serves the fast unit suite, above all for what a real server
 * cannot be made to do on cue (hold requests until N arrive, fail
 * self/rotate with a 5xx, answer 429); the headline behaviours are proven
 * against a real keygate in e2e/client-*.test.ts.
 */
export interface FakeKey {
  readonly id: string;
  readonly secret: string;
  readonly lineageId: string;
  readonly version: number;
  status: "active" | "deprecated" | "expired" | "revoked";
  deprecatedAt?: Date;
  sunsetAt?: Date;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The secret that authenticated it (tests compare; never printed). */
  readonly key: string | null;
  readonly body: string;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomSecret(): string {
  const part = (n: number) => Array.from({ length: n }, () => BASE62[randomInt(62)]).join("");
  return `kg_test_${part(32)}_${part(6)}`;
}

export class FakeKeygate {
  readonly keys = new Map<string, FakeKey>();
  readonly requests: SeenRequest[] = [];
  /** Every call of `POST /v1/self/rotate`, whatever its outcome. */
  selfRotateCalls = 0;
  /** Delay before answering self/rotate, to widen race windows in tests. */
  selfRotateDelayMs = 0;
  /** Status to force on self/rotate (e.g. 500); null for the real behaviour. */
  selfRotateFailure: number | null = null;
  /** Answer the next N authenticated requests with 429 and this `Retry-After`. */
  rateLimitNext = 0;
  private barrier: { size: number; waiting: (() => void)[] } | null = null;
  private nextId = 1;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Issues a key (version 1 of a new lineage) and returns its secret. */
  issue(): string {
    const secret = randomSecret();
    const id = `key_${this.nextId++}`;
    this.keys.set(secret, { id, secret, lineageId: `lin_${id}`, version: 1, status: "active" });
    return secret;
  }

  key(secret: string): FakeKey {
    const key = this.keys.get(secret);
    if (!key) throw new Error("unknown key");
    return key;
  }

  /** Operator-side rotation: successor issued, old key deprecated for `overlapMs`. Returns the successor's secret. */
  rotate(secret: string, overlapMs = 3_600_000): string {
    const old = this.key(secret);
    const successor = randomSecret();
    const id = `key_${this.nextId++}`;
    this.keys.set(successor, {
      id,
      secret: successor,
      lineageId: old.lineageId,
      version: old.version + 1,
      status: "active",
    });
    if (overlapMs === 0) old.status = "revoked";
    else this.deprecate(secret, new Date(Date.now() + overlapMs));
    return successor;
  }

  /** Makes a key due (request-rotation): it keeps working but carries the signals. */
  deprecate(secret: string, sunsetAt: Date): void {
    const key = this.key(secret);
    key.status = "deprecated";
    key.deprecatedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    key.sunsetAt = sunsetAt;
  }

  /** Holds the next `size` authenticated requests until all of them have arrived, then answers them together. */
  holdUntil(size: number): void {
    this.barrier = { size, waiting: [] };
  }

  requestsWith(secret: string): SeenRequest[] {
    return this.requests.filter((r) => r.key === secret);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = await readText(req);
    const secret = typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : null;
    this.requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, key: secret, body });

    const key = secret === null ? undefined : this.keys.get(secret);
    if (secret === null) return problem(res, 401, "KEY_MISSING");
    if (key === undefined) return problem(res, 401, "KEY_NOT_FOUND");
    if (key.status === "deprecated" && key.sunsetAt && key.sunsetAt.getTime() <= Date.now())
      key.status = "expired";
    if (key.status === "revoked") return problem(res, 401, "KEY_REVOKED");
    if (key.status === "expired") return problem(res, 401, "KEY_EXPIRED");

    if (url.pathname === "/v1/self/rotate" && req.method === "POST") return this.selfRotate(res, key);

    await this.wait();
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      res.writeHead(429, { "retry-after": "1", "content-type": "application/problem+json" });
      res.end(JSON.stringify({ status: 429, code: "RATE_LIMITED" }));
      return;
    }
    const delay = Number(url.searchParams.get("delayMs") ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    res.writeHead(200, { "content-type": "application/json", ...signals(key) });
    res.end(JSON.stringify({ path: url.pathname, method: req.method, keyId: key.id, body }));
  }

  private async selfRotate(res: ServerResponse, key: FakeKey): Promise<void> {
    this.selfRotateCalls += 1;
    if (this.selfRotateDelayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, this.selfRotateDelayMs));
    if (this.selfRotateFailure !== null) return problem(res, this.selfRotateFailure, "INTERNAL");
    const newest = [...this.keys.values()]
      .filter((k) => k.lineageId === key.lineageId)
      .every((k) => k.version <= key.version);
    if (!newest) return problem(res, 409, "CONFLICT");
    const secret = this.rotate(key.secret);
    const successor = this.key(secret);
    const hint = `${secret.slice(0, 12)}…${secret.slice(-4)}`;
    res.writeHead(201, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        key: { id: successor.id, version: successor.version, lineageId: successor.lineageId, hint },
        secret,
      }),
    );
  }

  private async wait(): Promise<void> {
    const barrier = this.barrier;
    if (barrier === null) return;
    await new Promise<void>((resolve) => {
      barrier.waiting.push(resolve);
      if (barrier.waiting.length >= barrier.size) {
        this.barrier = null;
        for (const release of barrier.waiting) release();
      }
    });
  }
}

function signals(key: FakeKey): Record<string, string> {
  if (key.status !== "deprecated" || !key.deprecatedAt || !key.sunsetAt) return {};
  return {
    deprecation: `@${Math.floor(key.deprecatedAt.getTime() / 1000)}`,
    sunset: key.sunsetAt.toUTCString(),
    link: '</docs/rotation>; rel="deprecation"',
  };
}

function problem(res: ServerResponse, status: number, code: string): void {
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer error="invalid_token"';
  res.writeHead(status, headers);
  res.end(
    JSON.stringify({ type: `https://keygate.dev/errors/${code}`, title: code, status, detail: code, code }),
  );
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
