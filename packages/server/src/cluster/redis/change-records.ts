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
/** After an unconfirmed publish, later ones do not wait for a replica for this long. */
const SKIP_WAIT_MS = 10_000;

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

  readonly #replicaWaitMs: number | undefined;
  #skipWaitUntil = 0;

  /**
   * `replicaWaitMs`: on deployments built for failover (Cluster, Sentinel),
   * how long a publish waits for a replica to hold the change (see
   * `runPublishScript`); undefined on a single primary.
   */
  constructor(
    redis: RedisClient,
    keys: RedisBusKeys,
    registry: NodeRegistry,
    nodeId: string,
    replicaWaitMs?: number,
  ) {
    this.#replicaWaitMs = replicaWaitMs;
    this.#redis = redis;
    this.#keys = keys;
    this.#registry = registry;
    this.#nodeId = nodeId;
  }

  /**
   * Appends the change to the stream with the nodes live now; returns how
   * many that was, and whether a replica confirmed holding it (undefined
   * when this publish did not wait for one).
   */
  async append(change: Change, now: number): Promise<{ liveNodes: number; replicated: boolean | undefined }> {
    // After a replica failed to confirm (none left after a failover, until one is re-added), publishes
    // skip the wait for a while instead of each paying the full bound.
    const wait = performance.now() >= this.#skipWaitUntil ? this.#replicaWaitMs : undefined;
    const sent = await runPublishScript(
      this.#redis,
      {
        streamKey: this.#keys.stream,
        nodesKey: this.#keys.nodes,
        changeKey: this.#keys.change(change.id),
        liveCutoff: this.#registry.liveCutoff(),
        maxLen: STREAM_MAXLEN,
        retentionSeconds: RETENTION_SECONDS,
        encoded: encodeChange(change),
        publishedAt: now,
      },
      wait,
    );
    if (wait !== undefined && !sent.replicated) this.#skipWaitUntil = performance.now() + SKIP_WAIT_MS;
    return { liveNodes: sent.liveNodes, replicated: wait === undefined ? undefined : sent.replicated };
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
