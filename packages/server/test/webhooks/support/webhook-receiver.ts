import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver got it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The status the receiver answered with. */
  readonly answered: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A real webhook receiver on 127.0.0.1 (node:http): records every request
 * and answers with the status `respond` picks (200 by default).
 */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** Chooses the status of the n-th request (0-based). */
  respond: (request: Omit<ReceivedRequest, "answered">, index: number) => number = () => 200;
  readonly #server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Listens on `port` (0: any free one). */
  static async start(port = 0): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => {
      readBody(request).then(
        (body) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(request.headers)) {
            if (typeof value === "string") headers[name] = value;
          }
          const seen = { method: request.method ?? "", path: request.url ?? "", headers, body };
          const status = receiver ? receiver.respond(seen, receiver.received.length) : 500;
          receiver?.received.push({ ...seen, answered: status });
          response
            .writeHead(status, { "content-type": "text/plain" })
            .end(status < 300 ? "ok" : "receiver says no");
        },
        () => response.destroy(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/keygate`;
  }

  /** Resolves once `predicate` holds for the requests so far; throws after `timeoutMs`. */
  async waitFor(
    predicate: (received: readonly ReceivedRequest[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) {
        throw new Error(
          `receiver: condition not met after ${timeoutMs} ms (${this.received.length} requests)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
