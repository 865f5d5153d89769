import { hostname } from "node:os";
import type { Change, ChangeBus, ChangeHandler } from "@keygate/core";
import type { PropagationStatus, PropagationTracker } from "../propagation.ts";
import { AckWatchers } from "./ack-watchers.ts";
import { decodeChange } from "./change-codec.ts";
import { ChangeRecords, type Outcome } from "./change-records.ts";
import { type NodeInfo, type NodeProgress, NodeRegistry } from "./node-registry.ts";
import { PublishQueue } from "./publish-queue.ts";
import { type RedisBusKeys, redisBusKeys } from "./redis-bus-keys.ts";
import {
  type RedisChangeBusOptions,
  type ResolvedBusOptions,
  resolveBusOptions,
} from "./redis-change-bus-options.ts";
import { connectClient, openRedisConnection, type RedisClient } from "./redis-connection.ts";
import { isClustered } from "./redis-target.ts";
import { type StreamEntry, StreamReader } from "./stream-reader.ts";

const READ_BATCH = 500;
const READ_BLOCK_MS = 2000;
/** How often `waitFor` re-reads the state without a wake-up: notices nodes that died, and lost ack messages. */
const RECHECK_MS = 100;
const MAX_PENDING_ACKS = 10_000;
const RECENT_PUBLISHES = 4096;
/**
 * On Cluster and Sentinel, how long a publish waits for one replica to hold
 * the change (WAIT 1). Replication on a LAN takes well under a millisecond;
 * the bound only matters when no replica answers, and keeps a publish fast then.
 */
const REPLICA_WAIT_MS = 100;

/**
 * Wall time with sub-millisecond precision, for the publish and acknowledgement
 * times kept in Redis: they time how fast a change reached each node (the
 * revocation bench reads them), where `Date.now()`'s whole milliseconds would
 * be as large as what they measure. Nothing decides on them.
 */
function preciseWallTime(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
}

/**
 * The change bus of a cluster, on one Redis primary, a Sentinel-managed
 * primary or Redis Cluster (where all its keys share the `{bus}` hash tag,
 * so the stream and its records live in one slot; see `redisBusKeys`).
 *
 * Changes go to a Redis stream that every node reads with a blocking XREAD on
 * a connection of its own, resuming from the last entry it processed, so a
 * node that was cut off catches up on what it missed. Each node applies each
 * change (its subscribers drop cache entries), then acknowledges it in a
 * per-change hash and on a pub/sub channel that wakes `waitFor` at once.
 * On Redis Cluster that channel is classic (not sharded) pub/sub: Cluster
 * forwards it to every node, which at one message per node per change costs
 * nothing, works from Redis 6, and a lost message only delays a wait by one
 * re-check (RECHECK_MS).
 * A heartbeat keeps a live-node registry; the nodes live when a change is
 * published are the ones expected to acknowledge it, minus any that die.
 *
 * `publish` never loses a committed change: if Redis is unreachable the change
 * is applied on this node at once, queued in memory (bounded), and sent when
 * Redis is back.
 */
export class RedisChangeBus implements ChangeBus, PropagationTracker {
  readonly #o: ResolvedBusOptions;
  readonly #keys: RedisBusKeys;
  readonly #cmd: RedisClient;
  readonly #sub: RedisClient;
  readonly #reader: StreamReader;
  readonly #registry: NodeRegistry;
  readonly #records: ChangeRecords;
  readonly #handlers = new Set<ChangeHandler>();
  readonly #watchers = new AckWatchers();
  readonly #queue: PublishQueue;
  /** Live-node count when this node published a change; answers `status` while Redis is away. */
  readonly #recent = new Map<string, number>();
  #liveCount = 1;
  #pendingAcks: string[] = [];
  #lastChangeId: string | null = null;
  #lastAckAt: number | null = null;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #heartbeatFailing = false;
  #unreplicatedWarned = false;
  #listening = false;
  #closed = false;

  constructor(options: RedisChangeBusOptions) {
    const o = resolveBusOptions(options);
    this.#o = o;
    this.#keys = redisBusKeys(o.keyPrefix, isClustered(o.target));
    this.#queue = new PublishQueue(o.maxQueuedChanges);
    const name = (purpose: string) => `${o.keyPrefix}${o.nodeId}:${purpose}`;
    // Fail fast instead of queueing while disconnected: publish falls back to its own queue.
    const natMap = o.redisNatMap;
    this.#cmd = openRedisConnection(o.target, name("cmd"), o.logger, {
      natMap,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      socketTimeout: 5000,
      keepAlive: 1000,
    });
    this.#sub = openRedisConnection(o.target, name("acks"), o.logger, { natMap, keepAlive: 1000 });
    // On Redis Cluster this is a cluster client of its own too: its blocking XREAD holds the
    // connection to the bus slot's primary, which no other command of this node may then wait behind.
    const readerConnection = openRedisConnection(o.target, name("reader"), o.logger, {
      natMap,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      socketTimeout: READ_BLOCK_MS + 3000,
      keepAlive: 1000,
    });
    this.#reader = new StreamReader({
      redis: readerConnection,
      streamKey: this.#keys.stream,
      logger: o.logger,
      batchSize: READ_BATCH,
      blockMs: READ_BLOCK_MS,
      onEntries: (entries) => this.#applyEntries(entries),
      onLost: () => o.onBusLost(),
      onRestored: () => o.onBusRestored(),
    });
    const self = {
      nodeId: o.nodeId,
      role: o.role,
      host: hostname(),
      pid: process.pid,
      startedAt: o.clock.now(),
    };
    this.#registry = new NodeRegistry(this.#cmd, this.#keys, self, o.clock, o.liveAfterMs);
    // A deployment with failover has replicas: a change is only published once one holds it (bounded wait).
    const replicaWaitMs = o.target.type === "single" ? undefined : REPLICA_WAIT_MS;
    this.#records = new ChangeRecords(this.#cmd, this.#keys, this.#registry, o.nodeId, replicaWaitMs);
  }

  /**
   * Connects, starts reading at the stream's current end, then registers the
   * node (in that order: a change published once this node is expected is
   * always after its starting point). Rejects if Redis is unreachable.
   */
  async start(): Promise<void> {
    try {
      await connectClient(this.#cmd);
      await this.#reader.start();
      // A node with an admin API answers `?wait=true`: it listens from the start (see #listenForAcks).
      // Nodes that only verify (gateway, authz) publish no changes, so they wait for no acknowledgements.
      if (this.#o.role !== "gateway" && this.#o.role !== "authz") this.#listenForAcks();
      await this.#registry.heartbeat(this.#progress());
    } catch (error) {
      await this.#disconnectAll();
      throw error;
    }
    // Back from an outage: re-register first, so the queued changes expect this node.
    this.#cmd.on("ready", () => void this.#tick());
    this.#heartbeatTimer = setInterval(() => void this.#tick(), this.#o.heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  async publish(change: Change): Promise<void> {
    if (this.#closed) throw new Error("RedisChangeBus is closed");
    // A revocation fence (or its lift) that cannot go out now is applied here only, never queued: it
    // matters only until its committed change arrives, and that change is queued behind it anyway.
    if (change.fence !== undefined && this.#queue.size > 0) {
      this.#deliver(change);
      return;
    }
    this.#remember(change.id, this.#liveCount);
    if (this.#queue.size > 0) {
      this.#enqueue(change, undefined);
      void this.#flushQueue();
      return;
    }
    try {
      await this.#send(change);
    } catch (error) {
      if (change.fence !== undefined) this.#deliver(change);
      else this.#enqueue(change, error);
    }
  }

  subscribe(handler: ChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** False from the moment the stream connection is lost until this node has caught up again. */
  isConnected(): boolean {
    return this.#reader.isConnected();
  }

  /** Committed changes waiting for Redis to come back (applied on this node already). */
  queuedChanges(): number {
    return this.#queue.size;
  }

  /** Nodes whose heartbeat is younger than `liveAfterMs`. */
  liveNodes(): Promise<NodeInfo[]> {
    return this.#registry.liveNodes();
  }

  async status(changeId: string): Promise<PropagationStatus | null> {
    if (this.#queue.has(changeId))
      return { changeId, nodes: this.#recent.get(changeId) ?? 1, acknowledged: 0 };
    try {
      return (await this.#records.outcome(changeId))?.status ?? null;
    } catch (error) {
      const nodes = this.#recent.get(changeId);
      if (nodes === undefined) throw error;
      return { changeId, nodes, acknowledged: 0 };
    }
  }

  async waitFor(change: Change, timeoutMs: number): Promise<Outcome> {
    const deadline = performance.now() + timeoutMs;
    const watch = this.#watchers.watch(change.id);
    this.#listenForAcks();
    let last: PropagationStatus = {
      changeId: change.id,
      nodes: this.#recent.get(change.id) ?? 0,
      acknowledged: 0,
    };
    try {
      for (;;) {
        const outcome = this.#queue.has(change.id)
          ? null
          : await this.#records.outcome(change.id).catch(() => null);
        if (outcome !== null) {
          if (outcome.complete) return outcome;
          last = outcome.status;
        }
        const remaining = deadline - performance.now();
        if (remaining <= 0 || this.#closed) return { status: last, complete: false };
        await watch.next(Math.min(remaining, RECHECK_MS));
      }
    } finally {
      watch.dispose();
    }
  }

  /**
   * Subscribes to acknowledgements, once: at start on a node with an admin
   * API, else at its first wait. Only a node that answers `?wait=true` needs
   * them; on a gateway node each acknowledgement of every change would be one
   * more wake-up at the very moment the change is being applied everywhere.
   * Until the subscription is up, `waitFor` finds acknowledgements by
   * re-reading (every RECHECK_MS).
   */
  #listenForAcks(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#sub.on("message", (channel: string, changeId: string) => {
      if (channel === this.#keys.acksChannel) this.#watchers.notify(changeId);
    });
    this.#sub.subscribe(this.#keys.acksChannel).catch((error: unknown) => {
      this.#o.logger.warn(
        { err: String(error) },
        "could not subscribe to acknowledgements; waits poll instead",
      );
    });
  }

  /**
   * Stops the node. By default it also leaves the registry so no one waits
   * for it; `deregister: false` leaves its entry to go stale, as a crash would.
   */
  async close(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeatTimer);
    this.#watchers.wakeAll();
    if (options.deregister !== false) {
      await this.#flushQueue();
      if (this.#queue.size > 0)
        this.#o.logger.error(
          { undelivered: this.#queue.size },
          "closing with changes never delivered to the bus",
        );
      await this.#registry.deregister().catch((error: unknown) => {
        this.#o.logger.warn({ err: String(error) }, "could not deregister node");
      });
    }
    await this.#disconnectAll();
    this.#handlers.clear();
  }

  async #send(change: Change): Promise<void> {
    const { liveNodes, replicated } = await this.#records.append(change, preciseWallTime());
    this.#liveCount = liveNodes;
    this.#remember(change.id, liveNodes);
    if (replicated === false && !this.#unreplicatedWarned) {
      this.#unreplicatedWarned = true;
      this.#o.logger.warn(
        { changeId: change.id, waitedMs: REPLICA_WAIT_MS },
        "change not confirmed by a replica: a crash of the primary now could lose it (does the primary have a replica?); publishes stop waiting for one for 10 s",
      );
    }
    if (replicated === true) this.#unreplicatedWarned = false;
  }

  /** The change is committed: apply it here now, and send it to the others when Redis is back. */
  #enqueue(change: Change, error: unknown): void {
    this.#queue.push(change);
    this.#deliver(change);
    this.#o.logger.warn(
      { changeId: change.id, queued: this.#queue.size, err: error === undefined ? undefined : String(error) },
      "redis unreachable: change applied on this node and queued for the others",
    );
  }

  #flushQueue(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    if (this.#queue.size === 0) return Promise.resolve();
    this.#flushing = (async () => {
      let sent = 0;
      for (let head = this.#queue.peek(); head !== undefined; head = this.#queue.peek()) {
        try {
          await this.#send(head);
        } catch {
          break;
        }
        this.#queue.shift();
        sent++;
      }
      if (sent > 0)
        this.#o.logger.info({ sent, stillQueued: this.#queue.size }, "queued changes sent to the bus");
    })().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #applyEntries(entries: readonly StreamEntry[]): Promise<void> {
    const applied: string[] = [];
    for (const [streamId, fields] of entries) {
      const { change, valid } = decodeChange(fields, streamId);
      if (!valid) this.#o.logger.error({ streamId }, "unreadable change entry: dropping every cache entry");
      if (this.#deliver(change)) applied.push(change.id);
    }
    await this.#acknowledge(applied);
  }

  /** Calls every subscriber; true if all succeeded (only then is the change acknowledged). */
  #deliver(change: Change): boolean {
    let ok = true;
    for (const handler of this.#handlers) {
      try {
        handler(change);
      } catch (error) {
        ok = false;
        this.#o.logger.error(
          { changeId: change.id, err: String(error) },
          "change handler failed; not acknowledged",
        );
      }
    }
    return ok;
  }

  async #acknowledge(changeIds: readonly string[]): Promise<void> {
    const ids = this.#pendingAcks.length > 0 ? [...this.#pendingAcks, ...changeIds] : changeIds;
    this.#pendingAcks = [];
    const last = ids[ids.length - 1];
    if (last === undefined) return;
    const now = this.#o.clock.now();
    try {
      await this.#records.acknowledge(ids, preciseWallTime(), now);
    } catch (error) {
      this.#pendingAcks = ids.slice(-MAX_PENDING_ACKS);
      this.#o.logger.warn(
        { pending: this.#pendingAcks.length, err: String(error) },
        "acknowledgements deferred",
      );
      return;
    }
    this.#lastChangeId = last;
    this.#lastAckAt = now;
    for (const id of ids) this.#watchers.notify(id);
  }

  async #tick(): Promise<void> {
    try {
      await this.#registry.heartbeat(this.#progress());
      this.#heartbeatFailing = false;
    } catch (error) {
      if (!this.#heartbeatFailing) this.#o.logger.warn({ err: String(error) }, "heartbeat failed");
      this.#heartbeatFailing = true;
      return;
    }
    await this.#flushQueue();
    if (this.#pendingAcks.length > 0) await this.#acknowledge([]);
  }

  #progress(): NodeProgress {
    return { lastChangeId: this.#lastChangeId, lastAckAt: this.#lastAckAt, busConnected: this.isConnected() };
  }

  #remember(changeId: string, liveNodes: number): void {
    this.#recent.delete(changeId);
    this.#recent.set(changeId, liveNodes);
    if (this.#recent.size <= RECENT_PUBLISHES) return;
    const oldest = this.#recent.keys().next();
    if (!oldest.done) this.#recent.delete(oldest.value);
  }

  async #disconnectAll(): Promise<void> {
    await this.#reader.close();
    this.#sub.disconnect();
    await this.#cmd.quit().catch(() => this.#cmd.disconnect());
  }
}
