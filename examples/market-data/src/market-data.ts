import { formatDay } from "./dates.ts";
import { hashSeed, seededRandom } from "./prng.ts";
import { basePrice } from "./symbols.ts";

/**
 * Pure generators of synthetic market data. Every value is a function of
 * (symbol, day) only, so a day's numbers never change between requests or
 * runs, and adjacent days join up: a day's open is the previous day's close.
 */

export interface OhlcvBar {
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface TraderGrade {
  readonly symbol: string;
  readonly date: string;
  /** Overall grade, 0–100. */
  readonly traderGrade: number;
  readonly quantGrade: number;
  readonly technicalGrade: number;
  /** Change of `traderGrade` against the previous day, in points. */
  readonly change24h: number;
}

export type SignalDirection = "bullish" | "bearish" | "neutral";

export interface TradingSignal {
  readonly symbol: string;
  readonly date: string;
  readonly signal: SignalDirection;
  /** Confidence, 0–1. */
  readonly strength: number;
  readonly price: number;
  readonly targetPrice: number;
  readonly stopLoss: number;
}

/** Price at a fractional day: two slow waves plus a faster one, with per-symbol phases. */
function priceAt(symbol: string, day: number): number {
  const h = hashSeed(`phase:${symbol}`);
  const p1 = (h % 1000) / 159.15;
  const p2 = ((h >>> 10) % 1000) / 159.15;
  const p3 = ((h >>> 20) % 1000) / 159.15;
  const wave =
    0.25 * Math.sin(day / 61 + p1) + 0.1 * Math.sin(day / 13 + p2) + 0.04 * Math.sin(day / 2.7 + p3);
  return basePrice(symbol) * Math.exp(wave);
}

/** Rounds to 2 decimals above 1, else to 6 significant-ish decimals, as exchanges quote. */
function roundPrice(value: number): number {
  const decimals = value >= 1 ? 2 : 6;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function dailyBar(symbol: string, day: number): OhlcvBar {
  const random = seededRandom(`ohlcv:${symbol}:${day}`);
  const open = priceAt(symbol, day);
  const close = priceAt(symbol, day + 1);
  const high = Math.max(open, close) * (1 + random() * 0.03);
  const low = Math.min(open, close) * (1 - random() * 0.03);
  const volume = Math.round((5_000_000 + random() * 45_000_000) / Math.sqrt(basePrice(symbol)) + 1_000);
  return {
    date: formatDay(day),
    open: roundPrice(open),
    high: roundPrice(high),
    low: roundPrice(low),
    close: roundPrice(close),
    volume,
  };
}

/** Bars for every day from `startDay` to `endDay` inclusive, oldest first. */
export function dailyOhlcv(symbol: string, startDay: number, endDay: number): OhlcvBar[] {
  const bars: OhlcvBar[] = [];
  for (let day = startDay; day <= endDay; day++) bars.push(dailyBar(symbol, day));
  return bars;
}

function gradeOn(symbol: string, day: number): { trader: number; quant: number; technical: number } {
  const random = seededRandom(`grade:${symbol}:${day}`);
  // Momentum over the last week drives the technical grade, so grades agree with the price series.
  const momentum = priceAt(symbol, day + 1) / priceAt(symbol, day - 6) - 1;
  const technical = clamp(50 + momentum * 250 + (random() - 0.5) * 10, 0, 100);
  const quant = clamp(40 + random() * 40, 0, 100);
  const trader = 0.6 * technical + 0.4 * quant;
  return { trader: round1(trader), quant: round1(quant), technical: round1(technical) };
}

export function traderGrade(symbol: string, day: number): TraderGrade {
  const today = gradeOn(symbol, day);
  const yesterday = gradeOn(symbol, day - 1);
  return {
    symbol,
    date: formatDay(day),
    traderGrade: today.trader,
    quantGrade: today.quant,
    technicalGrade: today.technical,
    change24h: round1(today.trader - yesterday.trader),
  };
}

export function tradingSignal(symbol: string, day: number): TradingSignal {
  const grade = gradeOn(symbol, day).trader;
  const signal: SignalDirection = grade >= 60 ? "bullish" : grade <= 40 ? "bearish" : "neutral";
  const price = priceAt(symbol, day + 1);
  const strength = Math.round((Math.abs(grade - 50) / 50) * 1000) / 1000;
  const move = signal === "bearish" ? -0.08 : 0.08;
  return {
    symbol,
    date: formatDay(day),
    signal,
    strength,
    price: roundPrice(price),
    targetPrice: roundPrice(price * (1 + move)),
    stopLoss: roundPrice(price * (1 - move / 2)),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
