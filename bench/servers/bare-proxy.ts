/**
 * The baseline: the least a node:http reverse proxy on undici.Pool does —
 * forward method, path, headers and body, stream the answer back with
 * backpressure. It forwards with the same primitive as the gateway
 * (`pool.dispatch` with a handler writing straight into the response), so
 * the ratio between them is the cost of keygate's own work per request.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { responseHeaders, serveBareProxy } from "../lib/proxy-process.ts";

/** Streams one upstream answer into `res`: status and headers, then the body, pausing while `res` is full. */
class Relay implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  #started = false;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Present so undici takes this for a handler of its current API (it checks for this method). */
  onRequestStart() {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ) {
    if (statusCode < 200) return;
    this.#res.writeHead(statusCode, responseHeaders(headers));
    this.#started = true;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
    if (!this.#res.write(chunk)) {
      controller.pause();
      this.#res.once("drain", () => controller.resume());
    }
  }

  onResponseEnd() {
    this.#res.end();
  }

  onResponseError() {
    if (this.#started || this.#res.destroyed) {
      this.#res.destroy();
      return;
    }
    this.#res.writeHead(502);
    this.#res.end();
  }
}

serveBareProxy("bare-proxy.ts", (pool, { req, res, headers, hasBody }) => {
  pool.dispatch(
    {
      method: (req.method ?? "GET") as Dispatcher.HttpMethod,
      path: req.url ?? "/",
      headers: headers as Record<string, string>,
      body: hasBody ? req : null,
    },
    new Relay(res),
  );
});
