import { fileKeyStore, KeygateClient } from "@keygate/client/node";

export interface ConsumerOptions {
  /** The keygate gateway, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** Key file shared with other processes, an operator or a secrets manager. */
  readonly keyFile: string;
  /** Pause between requests. */
  readonly intervalMs: number;
  /** Stop after this many requests (default: run until `signal` aborts). */
  readonly maxRequests?: number;
  readonly symbol?: string;
  /** Where to self-rotate when not the gateway's `/v1/self/rotate` (e.g. `http://127.0.0.1:7070/v1/self/rotate`). */
  readonly selfRotateUrl?: string;
  readonly signal?: AbortSignal;
  /** One line per request or event; never receives a secret. */
  readonly log: (line: string) => void;
}

/** What the consumer saw, for tests and the exit summary. */
export interface ConsumerSummary {
  readonly statuses: number[];
  readonly rotations: number;
  readonly failures: number;
}

/**
 * A long-running consumer of the market-data demo behind keygate: cycles
 * through the read endpoints (and places an order every tenth request),
 * logs each status, and logs rotation events. Rotation is the SDK's job; this
 * loop never handles a key itself, which is the point of the example.
 */
export async function runConsumer(options: ConsumerOptions): Promise<ConsumerSummary> {
  const symbol = options.symbol ?? "ETH";
  const client = new KeygateClient({
    baseUrl: options.baseUrl,
    store: fileKeyStore(options.keyFile),
    ...(options.selfRotateUrl ? { selfRotatePath: options.selfRotateUrl } : {}),
  });
  const statuses: number[] = [];
  let rotations = 0;
  let failures = 0;

  client.on("rotated", ({ oldHint, newHint, source }) => {
    rotations += 1;
    options.log(
      `rotated ${oldHint} -> ${newHint} (${source === "self" ? "self-rotated" : "picked up from store"})`,
    );
  });
  client.on("deprecated", ({ hint, sunsetAt }) => {
    options.log(`deprecated ${hint}: rotate it before ${sunsetAt?.toISOString() ?? "its sunset"}`);
  });
  client.on("error", ({ error }) => options.log(`error ${error.message}`));

  const paths = [
    `/v2/daily-ohlcv?symbol=${symbol}`,
    `/v2/trader-grades?symbol=${symbol}`,
    `/v2/trading-signals?symbol=${symbol}`,
  ];
  try {
    for (let i = 0; options.maxRequests === undefined || i < options.maxRequests; i++) {
      if (options.signal?.aborted) break;
      const order = i % 10 === 9;
      const path = order ? "/v2/orders" : (paths[i % paths.length] ?? "/v2/daily-ohlcv");
      const init: RequestInit = order
        ? {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ symbol, side: "buy", quantity: 0.1 }),
          }
        : {};
      try {
        const response = await client.fetch(path, init);
        await response.arrayBuffer();
        statuses.push(response.status);
        const info = await client.keyInfo();
        const sunset = info.sunsetAt ? ` sunset=${info.sunsetAt.toISOString()}` : "";
        options.log(`${response.status} ${order ? "POST" : "GET"} ${path} key=${info.hint}${sunset}`);
      } catch (error) {
        failures += 1;
        options.log(`failed ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await pause(options.intervalMs, options.signal);
    }
    await client.idle();
  } finally {
    client.close();
  }
  return { statuses, rotations, failures };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
