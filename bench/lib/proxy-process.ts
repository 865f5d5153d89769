import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

/** What a bare proxy forwards: the client's request minus its connection fields. */
export interface BareRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly headers: IncomingHttpHeaders;
  readonly hasBody: boolean;
}

/**
 * Runs a bare proxy process to the upstream URL in argv[2]: a pool of 256
 * keep-alive connections, a node:http server on an ephemeral loopback port
 * (reported over IPC as `{port}`), each request handed to `forward` with its
 * hop-by-hop fields removed; SIGTERM closes the connections and exits.
 */
export function serveBareProxy(name: string, forward: (pool: Pool, request: BareRequest) => void): void {
  const upstream = process.argv[2];
  if (upstream === undefined) throw new Error(`usage: ${name} <upstream-url>`);
  const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 4_000 });
  const server = createServer((req, res) => {
    const { connection: _connection, "keep-alive": _keepAlive, host: _host, ...headers } = req.headers;
    const hasBody =
      req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    forward(pool, { req, res, headers, hasBody });
  });
  server.keepAliveTimeout = 5_000;
  server.listen(0, "127.0.0.1", () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on("SIGTERM", () => {
    server.closeAllConnections();
    process.exit(0);
  });
}

/** The upstream's response headers minus the framing ones node sets itself. */
export function responseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...out } = headers;
  return out;
}
