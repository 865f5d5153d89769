import { Redis, type RedisOptions } from "ioredis";
import type { BusLogger } from "./redis-change-bus-options.ts";

/** Reconnect delay after the n-th failed attempt: 50, 100, 200, 400, then 500 ms forever. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), 500);
}

/**
 * One ioredis connection of the bus. Each connection logs its first error of
 * an outage (not every failed reconnect attempt) and its recovery. The URL
 * is never logged: it may carry a password.
 */
export function openRedisConnection(
  url: string,
  name: string,
  logger: BusLogger,
  options: RedisOptions,
): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: 2000,
    retryStrategy: reconnectDelayMs,
    ...options,
  });
  let failing = false;
  redis.on("error", (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn({ connection: name, err: error.message }, "redis connection error");
  });
  redis.on("ready", () => {
    if (!failing) return;
    failing = false;
    logger.info({ connection: name }, "redis connection restored");
  });
  return redis;
}

/** Resolves on the connection's next `ready`, or after `ms`, whichever comes first. */
export function readyOrTimeout(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
  });
}
