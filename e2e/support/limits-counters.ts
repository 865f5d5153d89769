import { Redis } from "ioredis";

/**
 * Reads a consumer's rate-limit counter for a window of `windowSeconds`
 * straight from Redis (`<prefix>limits:{<consumer>}:r:<w>:<start>`): what
 * every node has been granted, leases included. 0 when there is none.
 */
export async function sharedCount(
  redisUrl: string,
  prefix: string,
  consumerId: string,
  windowSeconds: number,
): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}limits:{${consumerId}}:r:${windowSeconds}:*`);
    let total = 0;
    for (const key of keys) total += Number((await redis.get(key)) ?? 0);
    return total;
  } finally {
    redis.disconnect();
  }
}

/** Resolves once the counter reads `expected` (idle leases handed back), or throws after `timeoutMs`. */
export async function waitForSharedCount(
  read: () => Promise<number>,
  expected: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected) {
    if (Date.now() > deadline) throw new Error(`shared counter stayed at ${last}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
}
