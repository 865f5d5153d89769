export {
  createMarketDataServer,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  type MarketDataServer,
  type MarketDataServerOptions,
} from "./create-market-data-server.ts";
export {
  dailyBar,
  dailyOhlcv,
  type OhlcvBar,
  type SignalDirection,
  type TraderGrade,
  type TradingSignal,
  traderGrade,
  tradingSignal,
} from "./market-data.ts";
export type { Order, OrderRequest, OrderSide, OrderType } from "./orders.ts";
