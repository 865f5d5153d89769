import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGatewayServer,
  type GatewayLogger,
  type GatewayServer,
  type GatewayServerOptions,
} from "../../src/gateway/gateway-server.ts";
import { compileRouteTable, type RouteRule } from "../../src/gateway/route-table.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { UsageRecorder } from "../../src/usage/usage-recorder.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { CountingKeyStore, KeyWorld } from "../verify/key-world.ts";

/** What the echo upstream saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Upstream {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Upstream requests whose connection closed before the upstream answered. */
  readonly abandoned: string[];
  /** Bytes `/bulk` has handed to its socket so far (it waits for `drain` whenever the socket is full). */
  bulkWritten(): number;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/**
 * A real upstream on 127.0.0.1:0. It answers with JSON describing the request
 * (method, url, headers, body) — except `/stream` (a body written in chunks
 * with pauses), `/bulk?mib=` (that many MiB of the byte pattern 0..250, written as fast as the
 * connection takes them), `/broken` (dies after part of its body), `/slow?ms=` (answers after `ms`, default 2 s), `/linked` (sets its own `Link`)
 * and `/status/<n>` (that status).
 */
export async function startUpstream(): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const abandoned: string[] = [];
  let bulkWritten = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: SeenRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(request);
      const url = req.url ?? "/";
      if (url.startsWith("/stream")) {
        res.writeHead(200, { "content-type": "text/plain", "x-upstream": "stream" });
        let i = 0;
        const timer = setInterval(() => {
          res.write(`chunk-${i}\n`);
          if (++i === 5) {
            clearInterval(timer);
            res.end("done\n");
          }
        }, 10);
        return;
      }
      if (url.startsWith("/bulk")) {
        const total = Number(new URL(url, "http://upstream").searchParams.get("mib") ?? 1) * 1024 * 1024;
        const chunk = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => i % 251));
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            bulkWritten += chunk.length;
            if (!res.write(chunk)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      if (url.startsWith("/broken")) {
        res.writeHead(200, { "content-type": "text/plain", "content-length": "1000" });
        res.write("partial");
        setTimeout(() => res.destroy(), 20);
        return;
      }
      if (url.startsWith("/slow")) {
        const ms = Number(new URL(url, "http://upstream").searchParams.get("ms") ?? 2_000);
        const timer = setTimeout(() => res.end("late"), ms);
        res.on("close", () => {
          clearTimeout(timer);
          if (!res.writableFinished) abandoned.push(url);
        });
        return;
      }
      const status = /^\/status\/(\d{3})/.exec(url)?.[1];
      const body = JSON.stringify(request);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-upstream": "echo",
        // A hop-by-hop field named in Connection: the gateway must not pass it on.
        connection: "keep-alive, x-upstream-hop",
        "x-upstream-hop": "1",
      };
      if (url.startsWith("/linked")) headers.link = '<https://api.example/next>; rel="next"';
      res.writeHead(status === undefined ? 200 : Number(status), headers);
      res.end(body);
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    abandoned,
    bulkWritten: () => bulkWritten,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger that keeps every line, to prove what was (and was not) logged. */
export class CapturingLogger implements GatewayLogger {
  readonly lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];

  info(obj: object, msg?: string): void {
    this.lines.push({ level: "info", obj, msg });
  }

  warn(obj: object, msg?: string): void {
    this.lines.push({ level: "warn", obj, msg });
  }

  error(obj: object, msg?: string): void {
    this.lines.push({ level: "error", obj, msg });
  }

  text(): string {
    return JSON.stringify(this.lines);
  }
}

export const ORDER_ROUTES: RouteRule[] = [
  { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 },
  { method: "GET", path: "/v2/admin/*", scopes: ["admin"], cost: 1 },
];

export interface GatewayHarness {
  readonly world: KeyWorld;
  readonly store: CountingKeyStore;
  readonly verifier: Verifier;
  readonly usage: UsageRecorder;
  readonly logger: CapturingLogger;
  readonly gateway: GatewayServer;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A real gateway on 127.0.0.1:0 over a real Verifier and a `MemoryKeyStore`
 * (`host` "::" listens on IPv6 and IPv4 loopback alike; `url` stays IPv4).
 */
export async function startGateway(
  upstreamUrl: string,
  overrides: Partial<GatewayServerOptions> = {},
  world = new KeyWorld(),
  host = "127.0.0.1",
): Promise<GatewayHarness> {
  const store = new CountingKeyStore(world.store);
  const verifier = new Verifier({ store, clock: world.clock, hasher: nodeHasher });
  const logger = new CapturingLogger();
  const usage = new UsageRecorder({ store, logger });
  const gateway = createGatewayServer({
    verifier,
    upstream: upstreamUrl,
    routes: compileRouteTable(ORDER_ROUTES),
    clock: world.clock,
    logger,
    usage,
    closeGraceMs: 500,
    ...overrides,
  });
  const { port } = await gateway.listen(0, host);
  return {
    world,
    store,
    verifier,
    usage,
    logger,
    gateway,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      await usage.close();
    },
  };
}

/** Asserts-free helper: the parsed problem body and the headers that matter. */
export async function readProblem(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

/** Resolves once `condition()` holds; fails after `timeoutMs` (polls every 5 ms). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
