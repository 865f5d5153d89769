/**
 * One consumer process for the client e2e suites: a `KeygateClient` on a
 * shared key file calling the real gateway in a loop until SIGTERM, reporting
 * everything as JSON lines on stdout (hints and key ids only, never a secret).
 *
 * Env: GATEWAY_URL, KEY_FILE; WATCH=0 drops the store's watcher (a medium
 * that cannot be watched: the client learns of a new key only by reloading);
 * CONCURRENCY (default 2) request loops; INTERVAL_MS (default 100) between a
 * loop's requests. Every fifth request is a JSON `POST /v2/orders` (a body the
 * client must replay if it retries).
 *
 * Lines: `{type:"request", n, status, code?, keyId?, hint}` per `client.fetch`
 * (the response the caller got; `keyId` is the key the upstream saw, `hint`
 * the key of the last attempt), `{type:"attempt", n, status, code?, hint}` per
 * HTTP exchange the client made for it (a retried request has two),
 * `{type:"self-rotate", status}` per self-rotation call,
 * `{type:"rotated"|"deprecated"|"error", …}` for client events, and
 * `{type:"done", hint}` after SIGTERM once in-flight work has finished.
 */
import { fileKeyStore, KeygateClient, type KeyStore, keyHint } from "@keygate/client/node";

const gatewayUrl = required("GATEWAY_URL");
const file = fileKeyStore(required("KEY_FILE"));
const store: KeyStore =
  process.env.WATCH === "0" ? { load: file.load, save: file.save, lock: file.lock } : file;
const concurrency = Number(process.env.CONCURRENCY ?? 2);
const intervalMs = Number(process.env.INTERVAL_MS ?? 100);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...line })}\n`);
}

async function problemCode(response: Response): Promise<string | undefined> {
  if (!(response.headers.get("content-type") ?? "").includes("json") || response.ok) return undefined;
  try {
    const body = (await response.clone().json()) as { code?: unknown };
    return typeof body.code === "string" ? body.code : undefined;
  } catch {
    return undefined;
  }
}

/** The key hint of each request's latest attempt. */
const attemptHints = new Map<number, string | null>();

/** Sees every exchange the client makes, to report which key each attempt carried. */
const observingFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const response = await globalThis.fetch(input, init);
  const n = headers.get("x-request-n");
  const key = headers.get("x-api-key");
  if (String(input).endsWith("/v1/self/rotate")) emit({ type: "self-rotate", status: response.status });
  if (n !== null) {
    attemptHints.set(Number(n), key === null ? null : keyHint(key));
    emit({
      type: "attempt",
      n: Number(n),
      status: response.status,
      code: await problemCode(response),
      hint: key === null ? null : keyHint(key),
    });
  }
  return response;
};

const client = new KeygateClient({ baseUrl: gatewayUrl, store, fetch: observingFetch });
client.on("rotated", (event) => emit({ type: "rotated", ...event }));
client.on("deprecated", (event) => emit({ type: "deprecated", hint: event.hint }));
client.on("error", ({ error }) =>
  emit({ type: "error", code: (error as { code?: unknown }).code, message: error.message }),
);

let stopping = false;
let counter = 0;
process.once("SIGTERM", () => {
  stopping = true;
});

async function one(n: number): Promise<void> {
  const init: RequestInit =
    n % 5 === 0
      ? {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-n": String(n) },
          body: JSON.stringify({ symbol: "ETH", side: "buy", quantity: 1 }),
        }
      : { headers: { "x-request-n": String(n) } };
  const path = n % 5 === 0 ? "/v2/orders" : "/v2/trader-grades?symbol=ETH";
  try {
    const response = await client.fetch(path, init);
    const code = await problemCode(response);
    await response.arrayBuffer();
    emit({
      type: "request",
      n,
      status: response.status,
      code,
      keyId: response.headers.get("x-upstream-saw-key"),
      hint: attemptHints.get(n) ?? null,
    });
    attemptHints.delete(n);
  } catch (error) {
    emit({ type: "request", n, status: 0, code: error instanceof Error ? error.message : String(error) });
  }
}

async function loop(): Promise<void> {
  while (!stopping) {
    counter += 1;
    await one(counter);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

emit({ type: "ready", pid: process.pid });
await Promise.all(Array.from({ length: concurrency }, () => loop()));
await client.idle();
emit({ type: "done", hint: (await client.keyInfo()).hint });
client.close();
