import { afterEach, describe, expect, it } from "vitest";
import { createMarketDataServer, type MarketDataServer } from "./create-market-data-server.ts";

const NOW = new Date("2025-06-15T12:34:56Z");
const running: MarketDataServer[] = [];

async function start(logLines: string[] = []): Promise<string> {
  const upstream = createMarketDataServer({ now: () => NOW, log: (line) => logLines.push(line) });
  running.push(upstream);
  const { port } = await upstream.listen(0);
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function expectProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(typeof body.detail).toBe("string");
  return body;
}

describe("market-data upstream: reads", () => {
  it("answers the same bytes on every request and every server", async () => {
    const a = await start();
    const b = await start();
    const path = "/v2/daily-ohlcv?symbol=eth&startDate=2025-01-01&endDate=2025-01-31";
    const first = await (await fetch(a + path)).text();
    expect(await (await fetch(a + path)).text()).toBe(first);
    expect(await (await fetch(b + path)).text()).toBe(first);
    const body = JSON.parse(first) as { symbol: string; data: { date: string }[] };
    expect(body.symbol).toBe("ETH");
    expect(body.data).toHaveLength(31);
    expect(body.data[0]?.date).toBe("2025-01-01");
    expect(body.data[30]?.date).toBe("2025-01-31");
  });

  it("defaults to the 7 days ending today", async () => {
    const base = await start();
    const res = await fetch(`${base}/v2/daily-ohlcv?symbol=BTC`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { startDate: string; endDate: string; data: unknown[] };
    expect(body).toMatchObject({ startDate: "2025-06-09", endDate: "2025-06-15" });
    expect(body.data).toHaveLength(7);
  });

  it("serves grades and signals for today or a given date", async () => {
    const base = await start();
    const grades = (await (await fetch(`${base}/v2/trader-grades?symbol=SOL`)).json()) as {
      data: { symbol: string; date: string; traderGrade: number };
    };
    expect(grades.data).toMatchObject({ symbol: "SOL", date: "2025-06-15" });
    const signals = (await (await fetch(`${base}/v2/trading-signals?symbol=SOL&date=2025-01-02`)).json()) as {
      data: { date: string; signal: string };
    };
    expect(signals.data.date).toBe("2025-01-02");
    expect(["bullish", "bearish", "neutral"]).toContain(signals.data.signal);
  });
});

describe("market-data upstream: validation", () => {
  it("rejects missing or malformed parameters with problem+json listing every error", async () => {
    const base = await start();
    const body = await expectProblem(await fetch(`${base}/v2/daily-ohlcv?startDate=2024-02-30`), 400);
    expect(body.errors).toEqual([
      { field: "symbol", message: "is required" },
      { field: "startDate", message: "must be a calendar date as YYYY-MM-DD" },
    ]);
    await expectProblem(await fetch(`${base}/v2/trader-grades?symbol=$$$`), 400);
    await expectProblem(await fetch(`${base}/v2/trading-signals`), 400);
  });

  it("limits ranges to 366 days and rejects reversed ones", async () => {
    const base = await start();
    const ok = await fetch(`${base}/v2/daily-ohlcv?symbol=BTC&startDate=2024-01-01&endDate=2024-12-31`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(366);
    await expectProblem(
      await fetch(`${base}/v2/daily-ohlcv?symbol=BTC&startDate=2024-01-01&endDate=2025-01-01`),
      400,
    );
    await expectProblem(
      await fetch(`${base}/v2/daily-ohlcv?symbol=BTC&startDate=2024-01-02&endDate=2024-01-01`),
      400,
    );
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    const base = await start();
    await expectProblem(await fetch(`${base}/v3/nothing`), 404);
    const res = await fetch(`${base}/v2/orders`);
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("market-data upstream: orders", () => {
  const post = (base: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/v2/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("accepts an order, numbers ids deterministically and attributes it to the gateway's consumer", async () => {
    const base = await start();
    const res = await post(base, JSON.stringify({ symbol: "eth", side: "buy", quantity: 1.5 }), {
      "x-keygate-consumer-id": "con_abc",
      "x-keygate-key-id": "key_def",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/v2/orders/ord_000001");
    expect(await res.json()).toEqual({
      id: "ord_000001",
      symbol: "ETH",
      side: "buy",
      quantity: 1.5,
      type: "market",
      status: "accepted",
      consumerId: "con_abc",
      createdAt: NOW.toISOString(),
    });
    const second = await post(
      base,
      JSON.stringify({ symbol: "BTC", side: "sell", quantity: 2, type: "limit" }),
    );
    expect(await second.json()).toMatchObject({ id: "ord_000002", type: "limit", consumerId: null });
  });

  it("rejects invalid orders with every problem listed", async () => {
    const base = await start();
    const body = await expectProblem(await post(base, JSON.stringify({ side: "hold", quantity: 0 })), 400);
    expect((body.errors as { field: string }[]).map((e) => e.field)).toEqual(["symbol", "side", "quantity"]);
    await expectProblem(await post(base, "{not json"), 400);
    await expectProblem(await post(base, "[]"), 400);
    await expectProblem(await post(base, JSON.stringify({ symbol: "ETH", side: "buy", quantity: -1 })), 400);
    await expectProblem(await post(base, "x".repeat(70 * 1024)), 413);
  });
});

describe("market-data upstream: browsers", () => {
  it("answers CORS preflights and lets any origin read its responses and headers", async () => {
    const base = await start();
    const preflight = await fetch(`${base}/v2/orders`, {
      method: "OPTIONS",
      headers: {
        origin: "http://127.0.0.1:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe(
      "x-api-key, authorization, content-type",
    );
    for (const path of ["/v2/trader-grades?symbol=ETH", "/v2/trader-grades", "/nowhere"]) {
      const res = await fetch(base + path, { headers: { origin: "http://127.0.0.1:5173" } });
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toContain("x-upstream-saw-key");
    }
    // OPTIONS that is not a preflight is an ordinary request, refused like any unknown method.
    expect((await fetch(`${base}/v2/orders`, { method: "OPTIONS" })).status).toBe(405);
  });
});

describe("market-data upstream: checks on the gateway", () => {
  it("echoes the identity headers the gateway added", async () => {
    const base = await start();
    const res = await fetch(`${base}/v2/trader-grades?symbol=ETH`, {
      headers: { "x-keygate-consumer-id": "con_1", "x-keygate-key-id": "key_2" },
    });
    expect(res.headers.get("x-upstream-saw-consumer")).toBe("con_1");
    expect(res.headers.get("x-upstream-saw-key")).toBe("key_2");
    const direct = await fetch(`${base}/v2/trader-grades?symbol=ETH`);
    expect(direct.headers.get("x-upstream-saw-consumer")).toBeNull();
  });

  it("fails loudly when a consumer key reaches it, without logging the key", async () => {
    const log: string[] = [];
    const base = await start(log);
    const secret = "kg_test_abcdefghijklmnopqrstuvwxyz012345_ABCDEF";
    const leaks: Record<string, string>[] = [{ "x-api-key": secret }, { authorization: `Bearer ${secret}` }];
    for (const headers of leaks) {
      const res = await fetch(`${base}/v2/daily-ohlcv?symbol=ETH`, { headers });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: "api key leaked to upstream" });
    }
    const order = await fetch(`${base}/v2/orders`, {
      method: "POST",
      headers: { "x-api-key": secret },
      body: JSON.stringify({ symbol: "ETH", side: "buy", quantity: 1 }),
    });
    expect(order.status).toBe(500);
    expect(log).toHaveLength(3);
    expect(log.join("\n")).not.toContain(secret);
    expect(log[0]).toContain("LEAKED");
  });
});
