import {
  type CounterAdd,
  type CounterDraw,
  type CounterGrant,
  type CounterRelease,
  type CounterStore,
  PartialCounterAddError,
  type TakeResult,
} from "@keygate/core";
import { connectClient, createRedisClient, type RedisClient, type RedisNatMap } from "../redis-connection.ts";
import { isClustered, parseRedisUrl } from "../redis-target.ts";
import { ADD_LUA, RELEASE_LUA, runScript, TAKE_LUA } from "./counter-scripts.ts";
import { groupByTag } from "./tag-groups.ts";

export interface RedisCounterStoreOptions {
  /** `KEYGATE_REDIS_URL`: one primary, Redis Cluster or Sentinel (see `parseRedisUrl`). */
  readonly redisUrl: string;
  /** Namespace of every key (`KEYGATE_REDIS_PREFIX`); counters live under `<prefix>limits:`. */
  readonly keyPrefix: string;
  /** Bound on one command; a slower Redis counts as unreachable. Default 500 ms. */
  readonly commandTimeoutMs?: number | undefined;
  /** Connection name shown by CLIENT LIST. */
  readonly connectionName?: string | undefined;
  /** Address translation for nodes that announce addresses this process cannot reach. */
  readonly natMap?: RedisNatMap | undefined;
}

function integers(reply: unknown): number[] {
  if (!Array.isArray(reply)) throw new Error("unexpected counter script reply");
  return reply.map((value) => Number(value));
}

/**
 * Counters shared by every node of a cluster, in Redis: one string per
 * counter, changed only by Lua scripts, so each take is one atomic round
 * trip. The consumer part of a key is a hash tag (`<prefix>limits:{con_…}:…`),
 * so a consumer's counters share a slot and one take (always one consumer's)
 * runs as one script on Redis Cluster too. Calls that span consumers
 * (release, add, read) run one script or command per consumer there.
 * Fails fast while Redis is unreachable (no offline queue, no retries): the
 * limiter then falls back to local counters.
 */
export class RedisCounterStore implements CounterStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #clustered: boolean;
  #connecting: Promise<void> | undefined;

  constructor(options: RedisCounterStoreOptions) {
    const target = parseRedisUrl(options.redisUrl);
    this.#prefix = `${options.keyPrefix}limits:`;
    this.#clustered = isClustered(target);
    this.#redis = createRedisClient(target, {
      connectionName: options.connectionName ?? `${options.keyPrefix}limits`,
      connectTimeout: 1000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      keepAlive: 1000,
      natMap: options.natMap,
    });
    // The limiter reports outages (one line each); the connection's own errors would repeat every retry.
    this.#redis.on("error", () => undefined);
  }

  /** Connects; resolves either way (unreachable at start is an outage like any other). */
  async connect(): Promise<void> {
    this.#connecting ??= connectClient(this.#redis).catch(() => undefined);
    await this.#connecting;
  }

  /** `consumerId:rest` → `<prefix>limits:{consumerId}:rest`. */
  #key(key: string): string {
    const colon = key.indexOf(":");
    return colon === -1
      ? `${this.#prefix}{${key}}`
      : `${this.#prefix}{${key.slice(0, colon)}}${key.slice(colon)}`;
  }

  /** Items in groups that one script may touch: all of them on one primary, one hash tag each on Cluster. */
  #groups<T extends { readonly key: string }>(items: readonly T[]): T[][] {
    return this.#clustered ? groupByTag(items) : [[...items]];
  }

  async take(draws: readonly CounterDraw[]): Promise<TakeResult> {
    if (this.#groups(draws).length > 1)
      throw new Error("a take spans consumers: on Redis Cluster one take must stay within one consumer");
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
    // Best effort per group: a group that fails leaves its counters high (safe) and the limiter degrades.
    const results = await Promise.allSettled(
      this.#groups(live).map((group) =>
        runScript(
          this.#redis,
          RELEASE_LUA,
          group.map((r) => this.#key(r.key)),
          group.map((r) => r.units),
        ),
      ),
    );
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  async add(adds: readonly CounterAdd[]): Promise<void> {
    const live = adds.filter((a) => a.units > 0);
    if (live.length === 0) return;
    const groups = this.#groups(live);
    const results = await Promise.allSettled(groups.map((group) => this.#addGroup(group)));
    const failed = results.find((result) => result.status === "rejected");
    if (failed === undefined) return;
    const applied = groups.filter((_, i) => results[i]?.status === "fulfilled").flat();
    if (applied.length === 0) throw failed.reason;
    throw new PartialCounterAddError(applied, failed.reason);
  }

  async #addGroup(group: readonly CounterAdd[]): Promise<void> {
    const args: number[] = [];
    for (const a of group) args.push(a.units, a.expiresAt);
    await runScript(
      this.#redis,
      ADD_LUA,
      group.map((a) => this.#key(a.key)),
      args,
    );
  }

  async read(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const indexed = keys.map((key, index) => ({ key, index }));
    const values = new Array<number>(keys.length).fill(0);
    await Promise.all(
      this.#groups(indexed).map(async (group) => {
        const replies = await this.#redis.mget(...group.map((item) => this.#key(item.key)));
        group.forEach((item, i) => {
          const value = replies[i];
          values[item.index] = value === null || value === undefined ? 0 : Number(value);
        });
      }),
    );
    return values;
  }

  async ping(): Promise<void> {
    // On Cluster, PING answers from any node; a counter's slot may still be failing over.
    // The limiter's probe then re-syncs, the add fails, and it stays degraded until the next probe.
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
