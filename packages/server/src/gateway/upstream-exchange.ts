import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";

/** What the proxy decides at the turns of an exchange: the headers to answer with, and what a failure means. */
export interface ExchangeOwner<C> {
  /** The headers to send the client for the upstream's; may throw, which ends the exchange as `internal`. */
  responseHeaders(res: ServerResponse, headers: IncomingHttpHeaders, context: C): OutgoingHttpHeaders;
  /** The upstream failed before its response began (refused, timed out, the request body was refused…). */
  upstreamFailed(res: ServerResponse, error: Error, context: C): void;
  /** The upstream's body broke after the status line was sent; the client's response is cut. */
  bodyFailed(error: Error, context: C): void;
  /** Anything else that went wrong in the gateway's own code. */
  internal(res: ServerResponse, error: unknown, context: C): void;
}

const WAITING = 0;
const STREAMING = 1;
const OVER = 2;

/**
 * One request forwarded upstream and its answer streamed back to the client,
 * as an undici dispatch handler: the response's status and headers go out
 * with `writeHead`, each body chunk with `res.write`, and the upstream is
 * paused while the client's socket is full (`pause` until `drain`). A client
 * that leaves aborts the upstream request, whether or not it has started.
 *
 * This replaces `pool.request` + `body.pipe(res)`, which for every request
 * built a promise, an async resource, a Readable for the body and the
 * listeners piping it; per request this holds one object and one listener.
 */
export class UpstreamExchange<C> implements Dispatcher.DispatchHandler {
  readonly #res: ServerResponse;
  readonly #owner: ExchangeOwner<C>;
  readonly #context: C;
  #controller: Dispatcher.DispatchController | undefined;
  #state: typeof WAITING | typeof STREAMING | typeof OVER = WAITING;

  constructor(res: ServerResponse, owner: ExchangeOwner<C>, context: C) {
    this.#res = res;
    this.#owner = owner;
    this.#context = context;
    res.on("close", () => {
      if (this.#state === OVER || res.writableFinished) return;
      this.#state = OVER;
      this.#controller?.abort(new ClientGoneError());
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#state === OVER) controller.abort(new ClientGoneError());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.#state !== WAITING) return; // interim responses are not forwarded
    const res = this.#res;
    if (res.destroyed) {
      this.#state = OVER;
      controller.abort(new ClientGoneError());
      return;
    }
    try {
      res.writeHead(statusCode, this.#owner.responseHeaders(res, headers, this.#context));
    } catch (error) {
      this.#state = OVER;
      controller.abort(error instanceof Error ? error : new Error(String(error)));
      this.#owner.internal(res, error, this.#context);
      return;
    }
    this.#state = STREAMING;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#state !== STREAMING) return;
    if (!this.#res.write(chunk) && !controller.paused) {
      controller.pause();
      this.#res.once("drain", () => controller.resume());
    }
  }

  onResponseEnd(): void {
    if (this.#state !== STREAMING) return;
    this.#state = OVER;
    this.#res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const state = this.#state;
    this.#state = OVER;
    if (state === WAITING) {
      this.#owner.upstreamFailed(this.#res, error, this.#context);
    } else if (state === STREAMING) {
      this.#owner.bodyFailed(error, this.#context);
      this.#res.destroy();
    }
  }
}

/** Why an exchange was aborted when its client left; nobody is told. */
class ClientGoneError extends Error {
  constructor() {
    super("the client went away");
    this.name = "ClientGoneError";
  }
}
