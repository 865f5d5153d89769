import { hashSeed } from "./prng.ts";

/** Reference prices for well-known symbols; anything else gets a stable price derived from its name. */
const BASE_PRICES: Readonly<Record<string, number>> = {
  BTC: 62_000,
  ETH: 3_100,
  SOL: 145,
  BNB: 560,
  XRP: 0.52,
  ADA: 0.45,
  DOGE: 0.13,
  AVAX: 28,
  DOT: 6.4,
  LINK: 14,
};

const SYMBOL_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;

/** Upper-cases and validates a ticker; returns `null` when it is not 2–10 letters/digits starting with a letter. */
export function normalizeSymbol(raw: string): string | null {
  const symbol = raw.trim().toUpperCase();
  return SYMBOL_PATTERN.test(symbol) ? symbol : null;
}

/** The price level around which a symbol's synthetic series oscillates. */
export function basePrice(symbol: string): number {
  const known = BASE_PRICES[symbol];
  if (known !== undefined) return known;
  // Spread unknown symbols over 0.01 … 1,000 on a log scale so they look plausible.
  const exponent = (hashSeed(`base:${symbol}`) % 500) / 100 - 2;
  return 10 ** exponent;
}
