import { createHash } from "node:crypto";
import type { RedisClient } from "../redis-connection.ts";

/**
 * The take, in one script: read every counter, refuse (changing nothing) if
 * any cannot grant its min, else grant each its lease. The lease formula is
 * `leaseGrant` from @keygate/core, repeated here; the contract suite runs the
 * same cases on this script and on the in-process store.
 *
 * KEYS: counters. ARGV: per counter, 5 values: limit, min, max, share, expiresAt (ms).
 * Returns {1, 0, granted1, used1, granted2, used2, …} or {0, index (1-based), used1, used2, …}.
 */
export const TAKE_LUA = `
local n = #KEYS
local used = {}
for i = 1, n do
  used[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
end
for i = 1, n do
  local a = (i - 1) * 5
  if used[i] + tonumber(ARGV[a + 2]) > tonumber(ARGV[a + 1]) then
    local out = {0, i}
    for j = 1, n do out[#out + 1] = used[j] end
    return out
  end
end
local out = {1, 0}
for i = 1, n do
  local a = (i - 1) * 5
  local available = tonumber(ARGV[a + 1]) - used[i]
  local min = tonumber(ARGV[a + 2])
  local max = tonumber(ARGV[a + 3])
  local share = tonumber(ARGV[a + 4])
  if share < 1 then share = 1 end
  local grant = math.floor(available / share)
  if grant > max then grant = max end
  if grant < min then grant = min end
  if grant > available then grant = available end
  if grant > 0 then
    used[i] = redis.call('INCRBY', KEYS[i], grant)
    redis.call('PEXPIREAT', KEYS[i], ARGV[a + 5])
  end
  out[#out + 1] = grant
  out[#out + 1] = used[i]
end
return out
`;

/** KEYS: counters. ARGV: units per counter. Never below zero; missing counters stay missing. */
export const RELEASE_LUA = `
for i = 1, #KEYS do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  local units = tonumber(ARGV[i])
  if units > current then units = current end
  if units > 0 then redis.call('DECRBY', KEYS[i], units) end
end
return 1
`;

/** KEYS: counters. ARGV: per counter, units and expiresAt (ms). */
export const ADD_LUA = `
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
  redis.call('PEXPIREAT', KEYS[i], ARGV[2 * i])
end
return 1
`;

const shas = new Map<string, string>();

function shaOf(lua: string): string {
  let sha = shas.get(lua);
  if (sha === undefined) {
    sha = createHash("sha1").update(lua).digest("hex");
    shas.set(lua, sha);
  }
  return sha;
}

/** EVALSHA, falling back to EVAL once when the server does not know the script (after a restart). */
export async function runScript(
  redis: RedisClient,
  lua: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(shaOf(lua), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}
