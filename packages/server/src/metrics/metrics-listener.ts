import { createServer, type Server } from "node:http";
import { closeGracefully, listenOn } from "../gateway/http-listener.ts";
import { problemFor, sendProblem } from "../http/problem.ts";

/** The slice of a logger the metrics listener writes to. */
export interface MetricsListenerLogger {
  error(obj: object, msg?: string): void;
}

export interface MetricsListenerOptions {
  /** The node's Prometheus text (the same text the admin port's `/metrics` serves). */
  readonly metrics: () => Promise<string>;
  readonly logger: MetricsListenerLogger;
}

/** An internal listener serving `/metrics` (and `/healthz`) for nodes without an admin port. */
export interface MetricsListener {
  readonly server: Server;
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
}

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Metrics for `--role gateway` and `--role authz` nodes, which open no admin
 * port (security review, finding 7: metrics name plans, outcomes and cluster
 * state, so they are never served on a public port). Bound to
 * `KEYGATE_METRICS_HOST` (default 127.0.0.1) on `KEYGATE_METRICS_PORT`.
 */
export function createMetricsListener(options: MetricsListenerOptions): MetricsListener {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendProblem(res, problemFor("NOT_FOUND", "Only GET /metrics and GET /healthz are served here.", path));
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end('{"status":"ok"}');
      return;
    }
    if (path !== "/metrics") {
      sendProblem(res, problemFor("NOT_FOUND", "Only GET /metrics and GET /healthz are served here.", path));
      return;
    }
    options.metrics().then(
      (body) => {
        res.writeHead(200, {
          "content-type": PROMETHEUS_TEXT,
          "content-length": Buffer.byteLength(body),
          "cache-control": "no-store",
        });
        res.end(body);
      },
      (error: unknown) => {
        options.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "metrics collection failed",
        );
        sendProblem(res, problemFor("INTERNAL", "An unexpected error occurred; it has been logged.", path));
      },
    );
  });
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeGracefully(server, 2_000),
  };
}
