import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-connection.ts";

/**
 * One round trip, atomic: read the live nodes, append the change to the
 * stream, and record the nodes expected to apply it. Being one script, no
 * node can register between the snapshot and the append and be wrongly
 * expected (it starts reading after this entry) or wrongly skipped.
 *
 * KEYS: stream, nodes sorted set, change hash.
 * ARGV: live cutoff (ms), stream MAXLEN, retention (s), encoded change, publish time (ms).
 * Returns: {stream id, number of live nodes}.
 */
const PUBLISH_LUA = `
local live = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf')
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'change', ARGV[4])
redis.call('HSET', KEYS[3], 'nodes', table.concat(live, ','), 'streamId', id, 'at', ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return {id, #live}
`;

const PUBLISH_SHA = createHash("sha1").update(PUBLISH_LUA).digest("hex");

export interface PublishScriptArgs {
  readonly streamKey: string;
  readonly nodesKey: string;
  readonly changeKey: string;
  readonly liveCutoff: number;
  readonly maxLen: number;
  readonly retentionSeconds: number;
  readonly encoded: string;
  readonly publishedAt: number;
}

/**
 * Runs the publish script. With `replicaWaitMs`, the same round trip then
 * waits (WAIT 1) up to that long for one replica to hold the entry: Redis
 * replicates asynchronously, and an entry only the crashed primary held is
 * gone after a failover, unseen by every node that had not read it yet.
 * Pipelined, so on Redis Cluster the WAIT reaches the primary that ran the
 * script. `replicated` is false when no replica confirmed in time.
 */
export async function runPublishScript(
  redis: RedisClient,
  a: PublishScriptArgs,
  replicaWaitMs?: number,
): Promise<{ streamId: string; liveNodes: number; replicated: boolean }> {
  const args = [
    a.streamKey,
    a.nodesKey,
    a.changeKey,
    a.liveCutoff,
    a.maxLen,
    a.retentionSeconds,
    a.encoded,
    a.publishedAt,
  ];
  const run = async (script: "evalsha" | "eval"): Promise<[unknown, unknown]> => {
    const pipeline = redis.pipeline();
    if (script === "evalsha") pipeline.evalsha(PUBLISH_SHA, 3, ...args);
    else pipeline.eval(PUBLISH_LUA, 3, ...args);
    if (replicaWaitMs !== undefined) pipeline.call("WAIT", 1, replicaWaitMs);
    const results = (await pipeline.exec()) ?? [];
    const [scriptResult, waitResult] = results;
    if (scriptResult === undefined) throw new Error("publish script: no reply");
    if (scriptResult[0] !== null) throw scriptResult[0];
    return [scriptResult[1], waitResult?.[0] === null ? waitResult[1] : undefined];
  };
  let reply: unknown;
  let replicas: unknown;
  try {
    [reply, replicas] = await run("evalsha");
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    [reply, replicas] = await run("eval");
  }
  if (!Array.isArray(reply) || typeof reply[0] !== "string")
    throw new Error("unexpected publish script reply");
  return {
    streamId: reply[0],
    liveNodes: Number(reply[1]),
    replicated: replicaWaitMs === undefined || Number(replicas) >= 1,
  };
}
