/**
 * A reference beside the baseline: the same bare proxy written the common
 * way, with `pool.request` and `body.pipe(res)`, which per request also
 * builds a promise, an async resource, a Readable for the body and the pipe's
 * listeners. `gateway-throughput` prints the baseline (`bare-proxy.ts`,
 * forwarding with `pool.dispatch` like the gateway) against it, so what the
 * forwarding primitive alone is worth stays visible.
 */
import type { Dispatcher } from "undici";
import { responseHeaders, serveBareProxy } from "../lib/proxy-process.ts";

serveBareProxy("request-proxy.ts", (pool, { req, res, headers, hasBody }) => {
  pool
    .request({
      method: (req.method ?? "GET") as Dispatcher.HttpMethod,
      path: req.url ?? "/",
      headers: headers as Record<string, string>,
      body: hasBody ? req : null,
    })
    .then(
      (response) => {
        res.writeHead(response.statusCode, responseHeaders(response.headers));
        // Each side tears down the other: a broken upstream body cuts the response, a client that leaves stops the body.
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
