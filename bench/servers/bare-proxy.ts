/**
 * The baseline: the least a node:http reverse proxy on undici.Pool does —
 * forward method, path, headers and body, stream the answer back. The
 * gateway uses the same forwarding primitives (`pool.request`, `pipe`),
 * so the ratio between them is the cost of keygate's work per request.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Dispatcher, Pool } from "undici";

const upstream = process.argv[2];
if (upstream === undefined) throw new Error("usage: bare-proxy.ts <upstream-url>");
const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 4_000 });

const server = createServer((req, res) => {
  const { connection: _connection, "keep-alive": _keepAlive, host: _host, ...headers } = req.headers;
  const hasBody =
    req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  pool
    .request({
      method: (req.method ?? "GET") as Dispatcher.HttpMethod,
      path: req.url ?? "/",
      headers: headers as Record<string, string>,
      body: hasBody ? req : null,
    })
    .then(
      (response) => {
        const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...out } = response.headers;
        res.writeHead(response.statusCode, out);
        // The same streaming as the gateway's streamResponse (pipe, each side tearing down the other).
        response.body.on("error", () => res.destroy());
        res.once("close", () => {
          if (!response.body.destroyed) response.body.destroy();
        });
        response.body.pipe(res);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
});
server.keepAliveTimeout = 5_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  process.exit(0);
});
