import type { Change } from "@keygate/core";
import type { PropagationStatus } from "../propagation.ts";
import { encodeChange } from "./change-codec.ts";
import type { NodeRegistry } from "./node-registry.ts";
import { parseNodeList, propagationState } from "./propagation-state.ts";
import { runPublishScript } from "./publish-script.ts";
import type { RedisBusKeys } from "./redis-bus-keys.ts";
import type { RedisClient } from "./redis-connection.ts";

/** The stream keeps about this many changes (XADD MAXLEN ~): hours of history at any realistic admin rate. */
const STREAM_MAXLEN = 100_000;
/** Per-change records (expected nodes, acks) live this long; `status` answers null after. */
const RETENTION_SECONDS = 3600;

export type Outcome = { status: PropagationStatus; complete: boolean };

/**
 * What Redis holds about changes: the stream entry and expected-node set
 * written at publish, the acknowledgements written by each node, and the
 * propagation state read back from them. Every method is one round trip and
 * throws when Redis does not answer.
 */
export class ChangeRecords {
  readonly #redis: RedisClient;
  readonly #keys: RedisBusKeys;
  readonly #registry: NodeRegistry;
  readonly #nodeId: string;

  constructor(redis: RedisClient, keys: RedisBusKeys, registry: NodeRegistry, nodeId: string) {
    this.#redis = redis;
    this.#keys = keys;
    this.#registry = registry;
    this.#nodeId = nodeId;
  }

  /** Appends the change to the stream with the nodes live now; returns how many that was. */
  async append(change: Change, now: number): Promise<number> {
    const sent = await runPublishScript(this.#redis, {
      streamKey: this.#keys.stream,
      nodesKey: this.#keys.nodes,
      changeKey: this.#keys.change(change.id),
      liveCutoff: this.#registry.liveCutoff(),
      maxLen: STREAM_MAXLEN,
      retentionSeconds: RETENTION_SECONDS,
      encoded: encodeChange(change),
      publishedAt: now,
    });
    return sent.liveNodes;
  }

  /**
   * Records that this node applied `changeIds` (in order) at `appliedAt` and
   * wakes every waiter on them; `now` (the node's clock) is its last-ack time.
   */
  async acknowledge(changeIds: readonly string[], appliedAt: number, now: number): Promise<void> {
    const last = changeIds[changeIds.length - 1];
    if (last === undefined) return;
    const pipeline = this.#redis.pipeline();
    for (const id of changeIds) {
      const acks = this.#keys.changeAcks(id);
      pipeline
        .hset(acks, this.#nodeId, appliedAt)
        .expire(acks, RETENTION_SECONDS)
        .publish(this.#keys.acksChannel, id);
    }
    pipeline.hset(this.#keys.node(this.#nodeId), { lastChangeId: last, lastAckAt: now });
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  /** The change's propagation now; null if Redis holds no record of it. */
  async outcome(changeId: string): Promise<Outcome | null> {
    const results =
      (await this.#redis
        .pipeline()
        .hget(this.#keys.change(changeId), "nodes")
        .hkeys(this.#keys.changeAcks(changeId))
        .zrangebyscore(this.#keys.nodes, this.#registry.liveCutoff(), "+inf")
        .exec()) ?? [];
    const [expected, acked, live] = results.map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    });
    if (typeof expected !== "string") return null;
    return propagationState(changeId, parseNodeList(expected), asStrings(acked), asStrings(live));
  }
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
