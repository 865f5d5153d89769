import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleCors } from "./cors.ts";
import { dayOf, formatDay, parseDay } from "./dates.ts";
import { dailyOhlcv, traderGrade, tradingSignal } from "./market-data.ts";
import { OrderBook, parseOrder } from "./orders.ts";
import { BodyTooLargeError, type FieldProblem, problem, readBody, sendJson, sendProblem } from "./respond.ts";
import { normalizeSymbol } from "./symbols.ts";

/** Longest `daily-ohlcv` range, in days (inclusive), so one request stays small. */
export const MAX_RANGE_DAYS = 366;
/** Default `daily-ohlcv` range when no dates are given: the 7 days ending today. */
export const DEFAULT_RANGE_DAYS = 7;
const MAX_BODY_BYTES = 64 * 1024;

export interface MarketDataServerOptions {
  /** Clock for "today" (default ranges and grades) and order timestamps. Default: the system clock. */
  readonly now?: () => Date;
  /** Where loud failures (a leaked API key) are reported. Default: `console.error`. Never receives a secret. */
  readonly log?: (line: string) => void;
}

export interface MarketDataServer {
  readonly server: Server;
  /** Starts listening; resolves with the bound port (pass 0 for an ephemeral one). */
  listen(port: number, host?: string): Promise<{ port: number }>;
  close(): Promise<void>;
}

type Query = URLSearchParams;
type Route = (req: IncomingMessage, res: ServerResponse, query: Query) => Promise<void> | void;

/**
 * The demo upstream keygate's gateway sits in front of. Besides serving
 * synthetic data it checks the gateway's side of the contract: it echoes the
 * identity headers the gateway added (`x-upstream-saw-consumer`,
 * `x-upstream-saw-key`) and answers 500 if a consumer's API key ever reaches it.
 * Browser apps may call it from any origin (see `cors.ts`).
 */
export function createMarketDataServer(options: MarketDataServerOptions = {}): MarketDataServer {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.error(line));
  const orders = new OrderBook(now);

  const routes: Record<string, Partial<Record<string, Route>>> = {
    "/healthz": { GET: (_req, res) => sendJson(res, 200, { ok: true }) },
    "/v2/daily-ohlcv": { GET: (_req, res, query) => handleOhlcv(res, query, dayOf(now())) },
    "/v2/trader-grades": {
      GET: (_req, res, query) => handleDaily(res, query, dayOf(now()), traderGrade),
    },
    "/v2/trading-signals": {
      GET: (_req, res, query) => handleDaily(res, query, dayOf(now()), tradingSignal),
    },
    "/v2/orders": { POST: (req, res) => handleOrder(req, res, orders) },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`market-data: unhandled error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendProblem(res, problem("internal", 500, "Internal error", "unexpected error"));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const leaked = leakedKeyHeader(req);
    if (leaked !== null) {
      log(`market-data: API KEY LEAKED TO UPSTREAM via the ${leaked} header on ${req.method} ${req.url}`);
      sendJson(res, 500, { error: "api key leaked to upstream" });
      return;
    }
    if (handleCors(req, res)) return;
    reflectIdentity(req, res);
    const url = new URL(req.url ?? "/", "http://upstream.invalid");
    const byMethod = routes[url.pathname];
    if (byMethod === undefined) {
      sendProblem(res, problem("not-found", 404, "Not found", `no resource at ${url.pathname}`));
      return;
    }
    const route = byMethod[req.method ?? "GET"];
    if (route === undefined) {
      const allow = Object.keys(byMethod).join(", ");
      sendProblem(res, problem("method-not-allowed", 405, "Method not allowed", `use ${allow}`), { allow });
      return;
    }
    await route(req, res, url.searchParams);
  }

  return {
    server,
    listen(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Names the header through which a consumer key reached us, if one did. */
function leakedKeyHeader(req: IncomingMessage): string | null {
  if (req.headers["x-api-key"] !== undefined) return "x-api-key";
  const authorization = req.headers.authorization;
  if (authorization !== undefined && /^bearer\s+kg_/i.test(authorization)) return "authorization";
  return null;
}

function reflectIdentity(req: IncomingMessage, res: ServerResponse): void {
  const consumerId = firstHeader(req, "x-keygate-consumer-id");
  const keyId = firstHeader(req, "x-keygate-key-id");
  if (consumerId !== null) res.setHeader("x-upstream-saw-consumer", consumerId);
  if (keyId !== null) res.setHeader("x-upstream-saw-key", keyId);
}

function firstHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function invalid(res: ServerResponse, errors: readonly FieldProblem[]): void {
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  sendProblem(res, problem("invalid-parameters", 400, "Invalid parameters", detail, errors));
}

function readSymbol(query: Query, errors: FieldProblem[]): string | null {
  const raw = query.get("symbol");
  if (raw === null || raw === "") {
    errors.push({ field: "symbol", message: "is required" });
    return null;
  }
  const symbol = normalizeSymbol(raw);
  if (symbol === null)
    errors.push({ field: "symbol", message: "must be a ticker of 2-10 letters or digits" });
  return symbol;
}

function readDay(query: Query, field: string, errors: FieldProblem[]): number | null | undefined {
  const raw = query.get(field);
  if (raw === null || raw === "") return undefined;
  const day = parseDay(raw);
  if (day === null) errors.push({ field, message: "must be a calendar date as YYYY-MM-DD" });
  return day;
}

function handleOhlcv(res: ServerResponse, query: Query, today: number): void {
  const errors: FieldProblem[] = [];
  const symbol = readSymbol(query, errors);
  const start = readDay(query, "startDate", errors);
  const end = readDay(query, "endDate", errors);
  if (errors.length > 0 || symbol === null || start === null || end === null) {
    invalid(res, errors);
    return;
  }
  const endDay = end ?? (start === undefined ? today : Math.min(today, start + DEFAULT_RANGE_DAYS - 1));
  const startDay = start ?? endDay - DEFAULT_RANGE_DAYS + 1;
  if (startDay > endDay) {
    invalid(res, [{ field: "startDate", message: "must not be after endDate" }]);
    return;
  }
  if (endDay - startDay + 1 > MAX_RANGE_DAYS) {
    invalid(res, [{ field: "endDate", message: `range must not exceed ${MAX_RANGE_DAYS} days` }]);
    return;
  }
  const data = dailyOhlcv(symbol, startDay, endDay);
  sendJson(res, 200, { symbol, startDate: formatDay(startDay), endDate: formatDay(endDay), data });
}

function handleDaily(
  res: ServerResponse,
  query: Query,
  today: number,
  generate: (symbol: string, day: number) => unknown,
): void {
  const errors: FieldProblem[] = [];
  const symbol = readSymbol(query, errors);
  const day = readDay(query, "date", errors);
  if (errors.length > 0 || symbol === null || day === null) {
    invalid(res, errors);
    return;
  }
  sendJson(res, 200, { data: generate(symbol, day ?? today) });
}

async function handleOrder(req: IncomingMessage, res: ServerResponse, orders: OrderBook): Promise<void> {
  // The body is parsed as JSON whatever its content type: clients that post a string often send text/plain.
  let text: string;
  try {
    text = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendProblem(res, problem("payload-too-large", 413, "Payload too large", error.message), {
      connection: "close",
    });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    invalid(res, [{ field: "body", message: "must be valid JSON" }]);
    return;
  }
  const parsed = parseOrder(body);
  if (parsed.type === "invalid") {
    invalid(res, parsed.errors);
    return;
  }
  const order = orders.place(parsed.order, firstHeader(req, "x-keygate-consumer-id"));
  sendJson(res, 201, order, "application/json", { location: `/v2/orders/${order.id}` });
}
