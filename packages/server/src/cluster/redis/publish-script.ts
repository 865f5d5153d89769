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

export async function runPublishScript(
  redis: RedisClient,
  a: PublishScriptArgs,
): Promise<{ streamId: string; liveNodes: number }> {
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
  let reply: unknown;
  try {
    reply = await redis.evalsha(PUBLISH_SHA, 3, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    reply = await redis.eval(PUBLISH_LUA, 3, ...args);
  }
  if (!Array.isArray(reply) || typeof reply[0] !== "string")
    throw new Error("unexpected publish script reply");
  return { streamId: reply[0], liveNodes: Number(reply[1]) };
}
