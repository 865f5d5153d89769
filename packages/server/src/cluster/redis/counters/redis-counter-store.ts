import type {
  CounterAdd,
  CounterDraw,
  CounterGrant,
  CounterRelease,
  CounterStore,
  TakeResult,
} from "@keygate/core";
import { Redis } from "ioredis";
import { reconnectDelayMs } from "../redis-connection.ts";
import { ADD_LUA, RELEASE_LUA, runScript, TAKE_LUA } from "./counter-scripts.ts";

export interface RedisCounterStoreOptions {
  readonly redisUrl: string;
  /** Namespace of every key (`KEYGATE_REDIS_PREFIX`); counters live under `<prefix>limits:`. */
  readonly keyPrefix: string;
  /** Bound on one command; a slower Redis counts as unreachable. Default 500 ms. */
  readonly commandTimeoutMs?: number | undefined;
  /** Connection name shown by CLIENT LIST. */
  readonly connectionName?: string | undefined;
}

function integers(reply: unknown): number[] {
  if (!Array.isArray(reply)) throw new Error("unexpected counter script reply");
  return reply.map((value) => Number(value));
}

/**
 * Counters shared by every node of a cluster, in Redis: one string per
 * counter, changed only by Lua scripts, so each take is one atomic round
 * trip. The consumer part of a key is a hash tag, so a consumer's counters
 * share a slot. Fails fast while Redis is unreachable (no offline queue, no
 * retries): the limiter then falls back to local counters.
 */
export class RedisCounterStore implements CounterStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  #connecting: Promise<void> | undefined;

  constructor(options: RedisCounterStoreOptions) {
    this.#prefix = `${options.keyPrefix}limits:`;
    this.#redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      connectionName: options.connectionName ?? `${options.keyPrefix}limits`,
      connectTimeout: 1000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: reconnectDelayMs,
      keepAlive: 1000,
    });
    // The limiter reports outages (one line each); the connection's own errors would repeat every retry.
    this.#redis.on("error", () => undefined);
  }

  /** Connects; resolves either way (unreachable at start is an outage like any other). */
  async connect(): Promise<void> {
    this.#connecting ??= this.#redis.connect().catch(() => undefined);
    await this.#connecting;
  }

  /** `consumerId:rest` → `<prefix>limits:{consumerId}:rest`. */
  #key(key: string): string {
    const colon = key.indexOf(":");
    return colon === -1
      ? `${this.#prefix}{${key}}`
      : `${this.#prefix}{${key.slice(0, colon)}}${key.slice(colon)}`;
  }

  async take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    const args: number[] = [];
    for (const d of draws) args.push(d.limit, d.min, d.max, d.share, d.expiresAt);
    const reply = integers(
      await runScript(
        this.#redis,
        TAKE_LUA,
        draws.map((d) => this.#key(d.key)),
        args,
      ),
    );
    if (reply[0] === 0) return { type: "refused", index: (reply[1] ?? 1) - 1, used: reply.slice(2) };
    const grants: CounterGrant[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2)
      grants.push({ granted: reply[i] ?? 0, used: reply[i + 1] ?? 0 });
    return { type: "granted", grants };
  }

  async release(releases: readonly CounterRelease[]): Promise<void> {
    const live = releases.filter((r) => r.units > 0);
    if (live.length === 0) return;
    await runScript(
      this.#redis,
      RELEASE_LUA,
      live.map((r) => this.#key(r.key)),
      live.map((r) => r.units),
    );
  }

  async add(adds: readonly CounterAdd[]): Promise<void> {
    const live = adds.filter((a) => a.units > 0);
    if (live.length === 0) return;
    const args: number[] = [];
    for (const a of live) args.push(a.units, a.expiresAt);
    await runScript(
      this.#redis,
      ADD_LUA,
      live.map((a) => this.#key(a.key)),
      args,
    );
  }

  async read(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(...keys.map((key) => this.#key(key)));
    return values.map((value) => (value === null ? 0 : Number(value)));
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
