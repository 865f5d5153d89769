import type { Clock } from "@keygate/core";
import type { RedisNatMap } from "./redis-connection.ts";
import { parseRedisUrl, type RedisTarget, redisUrlProblem } from "./redis-target.ts";

/** The slice of a pino logger the bus writes to. */
export interface BusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type NodeRole = "all" | "gateway" | "admin" | "portal" | "authz";

export interface RedisChangeBusOptions {
  /**
   * The shared Redis, as `KEYGATE_REDIS_URL` names it: one primary
   * (`redis://`, `rediss://`), Redis Cluster (`redis+cluster://h1:p1,h2:p2`)
   * or Sentinel (`redis+sentinel://s1:p1,s2:p2/<master name>`); see `parseRedisUrl`.
   */
  readonly redisUrl: string;
  /** Address translation for nodes that announce addresses this process cannot reach (NAT; tests' relays). */
  readonly redisNatMap?: RedisNatMap | undefined;
  /** Unique per running node: letters, digits and `._:-`, at most 128 characters. */
  readonly nodeId: string;
  readonly role: NodeRole;
  /**
   * Time source of heartbeats and acknowledgements. Liveness compares one
   * node's heartbeat with another node's clock, so nodes need clocks in sync
   * to well within `liveAfterMs` (NTP is plenty).
   */
  readonly clock: Clock;
  readonly logger: BusLogger;
  /** Namespace of every key and channel. Default `keygate:`. */
  readonly keyPrefix?: string | undefined;
  /** How often this node refreshes its registry entry. Default 1000 ms. */
  readonly heartbeatMs?: number | undefined;
  /** A node is live while its last heartbeat is younger than this. Default 3000 ms; must exceed `heartbeatMs`. */
  readonly liveAfterMs?: number | undefined;
  /**
   * Called when this node may have missed changes: its stream connection
   * dropped (once per outage), or on reconnect the stream no longer holds
   * what it missed (again). The caller must stop trusting its cache (clear
   * it, shorten its TTL) until `onBusRestored`.
   */
  readonly onBusLost?: (() => void) | undefined;
  /** Called once the node has caught up with every change it can still read after an outage. */
  readonly onBusRestored?: (() => void) | undefined;
  /** Changes kept in memory while Redis is unreachable. Default 10,000 (see PublishQueue for overflow). */
  readonly maxQueuedChanges?: number | undefined;
}

export interface ResolvedBusOptions {
  readonly redisUrl: string;
  readonly target: RedisTarget;
  readonly redisNatMap: RedisNatMap | undefined;
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clock: Clock;
  readonly logger: BusLogger;
  readonly keyPrefix: string;
  readonly heartbeatMs: number;
  readonly liveAfterMs: number;
  readonly onBusLost: () => void;
  readonly onBusRestored: () => void;
  readonly maxQueuedChanges: number;
}

const NODE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Checks the options at construction, reporting every problem at once. */
export function resolveBusOptions(options: RedisChangeBusOptions): ResolvedBusOptions {
  const urlProblem = redisUrlProblem(options.redisUrl);
  const resolved: ResolvedBusOptions = {
    redisUrl: options.redisUrl,
    target: urlProblem === undefined ? parseRedisUrl(options.redisUrl) : { type: "single", url: "" },
    redisNatMap: options.redisNatMap,
    nodeId: options.nodeId,
    role: options.role,
    clock: options.clock,
    logger: options.logger,
    keyPrefix: options.keyPrefix ?? "keygate:",
    heartbeatMs: options.heartbeatMs ?? 1000,
    liveAfterMs: options.liveAfterMs ?? 3000,
    onBusLost: options.onBusLost ?? (() => undefined),
    onBusRestored: options.onBusRestored ?? (() => undefined),
    maxQueuedChanges: options.maxQueuedChanges ?? 10_000,
  };
  const problems: string[] = [];
  if (urlProblem !== undefined) problems.push(`redisUrl: ${urlProblem}`);
  // A brace in the prefix would become the hash tag of every key (all in one slot), defeating the tags chosen here.
  if (/[{}]/.test(resolved.keyPrefix)) problems.push("keyPrefix must not contain { or }");
  if (!NODE_ID.test(resolved.nodeId)) problems.push("nodeId must match [A-Za-z0-9._:-]{1,128}");
  if (!["all", "gateway", "admin", "portal", "authz"].includes(resolved.role))
    problems.push("role must be all, gateway, admin, portal or authz");
  if (/\s/.test(resolved.keyPrefix)) problems.push("keyPrefix must not contain whitespace");
  if (!(resolved.heartbeatMs >= 10)) problems.push("heartbeatMs must be ≥ 10");
  if (!(resolved.liveAfterMs > resolved.heartbeatMs)) problems.push("liveAfterMs must exceed heartbeatMs");
  if (!Number.isInteger(resolved.maxQueuedChanges) || resolved.maxQueuedChanges < 2)
    problems.push("maxQueuedChanges must be an integer ≥ 2");
  if (problems.length > 0) throw new Error(`RedisChangeBus: ${problems.join("; ")}`);
  return resolved;
}
