import { Agent, request } from "undici";

/** One stream of requests: a gateway and the key it sends. */
export interface LoadTarget {
  /** Names the target in the report (e.g. `gateway-2`). */
  readonly label: string;
  readonly gatewayUrl: string;
  readonly secret: string;
  /** Default `/v2/trader-grades?symbol=ETH`. */
  readonly path?: string;
}

/** What one target saw. A failure is anything but a 200. */
export interface TargetReport {
  readonly ok: number;
  readonly failed: number;
  /** Failures by HTTP status and problem code (`503 STORE_UNAVAILABLE`) or network error code. */
  readonly failures: Record<string, number>;
  /** When the first and last failure happened (ms since the epoch), for lining up with a fault. */
  readonly firstFailureAt: number | undefined;
  readonly lastFailureAt: number | undefined;
}

export interface LoadReport {
  readonly durationMs: number;
  readonly byTarget: Record<string, TargetReport>;
}

export interface SteadyLoad {
  /** The report so far (the load keeps running). */
  snapshot(): LoadReport;
  /** Stops sending, waits for requests in flight, and reports. */
  stop(): Promise<LoadReport>;
}

export interface LoadOptions {
  /** Requests in flight per target. Default 2. */
  readonly concurrency?: number;
  /** Pause of each worker between two requests: keeps a 2-core machine responsive. Default 5 ms. */
  readonly pauseMs?: number;
  /** A request with no answer after this long counts as failed. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Stops by itself after this long, whatever happens. Default 60 s. */
  readonly maxDurationMs?: number;
}

interface MutableTarget {
  ok: number;
  failed: number;
  failures: Record<string, number>;
  firstFailureAt: number | undefined;
  lastFailureAt: number | undefined;
}

/**
 * Sends gateway requests continuously (bounded in time and concurrency, to
 * loopback only) and counts every answer that is not a 200, per target, with
 * its status and problem code, so a test can say "zero failed requests on the
 * surviving nodes" and name what the others saw.
 */
export function startLoad(targets: readonly LoadTarget[], options: LoadOptions = {}): SteadyLoad {
  const concurrency = options.concurrency ?? 2;
  const pauseMs = options.pauseMs ?? 5;
  const timeoutMs = options.timeoutMs ?? 5000;
  const started = Date.now();
  const deadline = started + (options.maxDurationMs ?? 60_000);
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const stats = new Map<string, MutableTarget>();
  let running = true;

  const fail = (target: MutableTarget, reason: string) => {
    const now = Date.now();
    target.failed++;
    target.failures[reason] = (target.failures[reason] ?? 0) + 1;
    target.firstFailureAt ??= now;
    target.lastFailureAt = now;
  };
  const worker = async (target: LoadTarget, into: MutableTarget) => {
    const url = `${target.gatewayUrl}${target.path ?? "/v2/trader-grades?symbol=ETH"}`;
    while (running && Date.now() < deadline) {
      try {
        const res = await request(url, {
          dispatcher: agent,
          headers: { "x-api-key": target.secret },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const text = await res.body.text();
        if (res.statusCode === 200) into.ok++;
        else fail(into, `${res.statusCode} ${problemCode(text)}`);
      } catch (error) {
        fail(into, errorCode(error));
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const workers: Promise<void>[] = [];
  for (const target of targets) {
    const into: MutableTarget = {
      ok: 0,
      failed: 0,
      failures: {},
      firstFailureAt: undefined,
      lastFailureAt: undefined,
    };
    stats.set(target.label, into);
    for (let i = 0; i < concurrency; i++) workers.push(worker(target, into));
  }
  const snapshot = (): LoadReport => ({
    durationMs: Date.now() - started,
    byTarget: Object.fromEntries(
      [...stats].map(([label, s]) => [label, { ...s, failures: { ...s.failures } }]),
    ),
  });
  return {
    snapshot,
    async stop() {
      running = false;
      await Promise.all(workers);
      await agent.close();
      return snapshot();
    },
  };
}

function problemCode(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown };
    return typeof body.code === "string" ? body.code : "non-problem body";
  } catch {
    return "non-JSON body";
  }
}

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string")
    return error.code;
  return error instanceof Error ? error.name : "error";
}
