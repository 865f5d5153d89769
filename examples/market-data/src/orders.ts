import type { FieldProblem } from "./respond.ts";
import { normalizeSymbol } from "./symbols.ts";

export type OrderSide = "buy" | "sell";
export type OrderType = "market" | "limit";

export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly type: OrderType;
}

export interface Order extends OrderRequest {
  readonly id: string;
  readonly status: "accepted";
  /** The consumer the gateway said placed the order (`x-keygate-consumer-id`), or null when called directly. */
  readonly consumerId: string | null;
  readonly createdAt: string;
}

export type OrderParse = { type: "ok"; order: OrderRequest } | { type: "invalid"; errors: FieldProblem[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates a decoded JSON body; reports every problem at once. */
export function parseOrder(body: unknown): OrderParse {
  if (!isRecord(body))
    return { type: "invalid", errors: [{ field: "body", message: "must be a JSON object" }] };
  const errors: FieldProblem[] = [];
  const symbol = typeof body.symbol === "string" ? normalizeSymbol(body.symbol) : null;
  if (symbol === null)
    errors.push({ field: "symbol", message: "must be a ticker of 2-10 letters or digits" });
  const side = body.side;
  if (side !== "buy" && side !== "sell") errors.push({ field: "side", message: 'must be "buy" or "sell"' });
  const quantity = body.quantity;
  if (typeof quantity !== "number" || !Number.isFinite(quantity) || quantity <= 0) {
    errors.push({ field: "quantity", message: "must be a number greater than 0" });
  }
  const type = body.type ?? "market";
  if (type !== "market" && type !== "limit")
    errors.push({ field: "type", message: 'must be "market" or "limit"' });
  if (
    errors.length > 0 ||
    symbol === null ||
    (side !== "buy" && side !== "sell") ||
    typeof quantity !== "number"
  ) {
    return { type: "invalid", errors };
  }
  return { type: "ok", order: { symbol, side, quantity, type: type === "limit" ? "limit" : "market" } };
}

/**
 * Accepts orders in memory. Ids come from a per-server counter, not from
 * randomness, so a fresh server always hands out `ord_000001` first.
 */
export class OrderBook {
  private sequence = 0;

  constructor(private readonly now: () => Date) {}

  place(request: OrderRequest, consumerId: string | null): Order {
    this.sequence += 1;
    const id = `ord_${String(this.sequence).padStart(6, "0")}`;
    return { id, ...request, status: "accepted", consumerId, createdAt: this.now().toISOString() };
  }
}
