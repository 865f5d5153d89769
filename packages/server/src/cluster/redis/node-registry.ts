import type { Clock } from "@keygate/core";
import type { RedisBusKeys } from "./redis-bus-keys.ts";
import type { NodeRole } from "./redis-change-bus-options.ts";
import type { RedisClient } from "./redis-connection.ts";

/** A node as the registry sees it (`GET /v1/nodes`). */
export interface NodeInfo {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastHeartbeatAt: number;
  /** The last change this node applied and acknowledged; null before its first. */
  readonly lastChangeId: string | null;
  readonly lastAckAt: number | null;
  /** Whether its stream reader was connected at its last heartbeat. */
  readonly busConnected: boolean;
}

/** What the node reports about itself at each heartbeat. */
export interface NodeSelf {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
}

export interface NodeProgress {
  readonly lastChangeId: string | null;
  readonly lastAckAt: number | null;
  readonly busConnected: boolean;
}

/** Dead nodes are dropped from the sorted set after this long, so it stays small. */
const FORGET_AFTER_MS = 3_600_000;

/**
 * The live-node registry: a sorted set of node ids scored by heartbeat time,
 * plus one hash per node that expires a few `liveAfterMs` after its last
 * heartbeat. Live means a heartbeat younger than `liveAfterMs`.
 */
export class NodeRegistry {
  readonly #redis: RedisClient;
  readonly #keys: RedisBusKeys;
  readonly #self: NodeSelf;
  readonly #clock: Clock;
  readonly #liveAfterMs: number;

  constructor(redis: RedisClient, keys: RedisBusKeys, self: NodeSelf, clock: Clock, liveAfterMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#self = self;
    this.#clock = clock;
    this.#liveAfterMs = liveAfterMs;
  }

  /** Oldest heartbeat time that still counts as live. */
  liveCutoff(): number {
    return this.#clock.now() - this.#liveAfterMs;
  }

  async heartbeat(progress: NodeProgress): Promise<void> {
    const now = this.#clock.now();
    const nodeKey = this.#keys.node(this.#self.nodeId);
    const fields: Record<string, string | number> = {
      role: this.#self.role,
      host: this.#self.host,
      pid: this.#self.pid,
      startedAt: this.#self.startedAt,
      heartbeatAt: now,
      busConnected: progress.busConnected ? 1 : 0,
    };
    if (progress.lastChangeId !== null) fields.lastChangeId = progress.lastChangeId;
    if (progress.lastAckAt !== null) fields.lastAckAt = progress.lastAckAt;
    await this.#redis
      .multi()
      .zadd(this.#keys.nodes, now, this.#self.nodeId)
      .hset(nodeKey, fields)
      .pexpire(nodeKey, this.#liveAfterMs * 3)
      .zremrangebyscore(this.#keys.nodes, "-inf", now - FORGET_AFTER_MS)
      .exec();
  }

  async liveNodeIds(): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#keys.nodes, this.liveCutoff(), "+inf");
  }

  async liveNodes(): Promise<NodeInfo[]> {
    const flat = await this.#redis.zrangebyscore(this.#keys.nodes, this.liveCutoff(), "+inf", "WITHSCORES");
    const scored: Array<{ nodeId: string; at: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const nodeId = flat[i];
      const at = flat[i + 1];
      if (nodeId !== undefined && at !== undefined) scored.push({ nodeId, at: Number(at) });
    }
    if (scored.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const { nodeId } of scored) pipeline.hgetall(this.#keys.node(nodeId));
    const replies = (await pipeline.exec()) ?? [];
    return scored.map(({ nodeId, at }, i) => {
      const reply = replies[i];
      const hash = reply !== undefined && reply[0] === null ? (reply[1] as Record<string, string>) : {};
      return toNodeInfo(nodeId, at, hash);
    });
  }

  /** Graceful leave: other nodes stop expecting this one at once instead of after `liveAfterMs`. */
  async deregister(): Promise<void> {
    await this.#redis
      .multi()
      .zrem(this.#keys.nodes, this.#self.nodeId)
      .del(this.#keys.node(this.#self.nodeId))
      .exec();
  }
}

function toNodeInfo(nodeId: string, heartbeatAt: number, hash: Record<string, string>): NodeInfo {
  const role =
    hash.role === "gateway" || hash.role === "admin" || hash.role === "portal" || hash.role === "authz"
      ? hash.role
      : "all";
  return {
    nodeId,
    role,
    host: hash.host ?? "",
    pid: Number(hash.pid ?? 0),
    startedAt: Number(hash.startedAt ?? 0),
    lastHeartbeatAt: heartbeatAt,
    lastChangeId: hash.lastChangeId ?? null,
    lastAckAt: hash.lastAckAt === undefined ? null : Number(hash.lastAckAt),
    busConnected: hash.busConnected === "1",
  };
}
