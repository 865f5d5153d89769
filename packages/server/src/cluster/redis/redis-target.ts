/** One `host:port` of a Redis Cluster seed list or a Sentinel list. */
export interface RedisHostPort {
  readonly host: string;
  readonly port: number;
}

/** Credentials and TLS shared by every data node of a topology. */
interface RedisAuth {
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `rediss…://`: TLS to every data node (and to the Sentinels). */
  readonly tls: boolean;
}

/**
 * Where the shared Redis is, as `KEYGATE_REDIS_URL` names it; a union
 * discriminated by `type`:
 *
 * - `redis://[user:pass@]host:port[/db]`, `rediss://…` → one primary.
 * - `redis+cluster://[user:pass@]h1:p1,h2:p2[,…]`, `rediss+cluster://…` →
 *   Redis Cluster; the hosts are seeds (any reachable one discovers the rest).
 * - `redis+sentinel://[user:pass@]s1:p1,s2:p2[,…]/<master name>[/db]`,
 *   `rediss+sentinel://…` → the primary that the Sentinels name. The
 *   userinfo authenticates to the data nodes; the query parameters
 *   `sentinelUsername` and `sentinelPassword` to the Sentinels.
 */
export type RedisTarget =
  | { readonly type: "single"; readonly url: string }
  | ({ readonly type: "cluster"; readonly nodes: readonly RedisHostPort[] } & RedisAuth)
  | ({
      readonly type: "sentinel";
      readonly sentinels: readonly RedisHostPort[];
      readonly masterName: string;
      readonly db: number;
      readonly sentinelUsername: string | undefined;
      readonly sentinelPassword: string | undefined;
    } & RedisAuth);

/** Every topology `KEYGATE_REDIS_URL` may name, for error messages. */
export const REDIS_URL_FORMS =
  "redis://host:port, rediss://…, redis+cluster://h1:p1,h2:p2, rediss+cluster://…, redis+sentinel://s1:p1,s2:p2/<master name>, rediss+sentinel://…";

const MULTI = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Reads `KEYGATE_REDIS_URL`. Throws an Error naming what is wrong (never the
 * password: the message may be logged).
 */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { type: "single", url };
  const match = MULTI.exec(url);
  if (match === null) throw new Error(`Redis URL must be one of: ${REDIS_URL_FORMS}`);
  const [, scheme = "redis", kind = "cluster", userinfo, hostList = "", path = "", query = ""] = match;
  const defaultPort = kind === "cluster" ? 6379 : 26379;
  if (hostList === "") throw new Error(`redis+${kind}:// needs at least one host:port`);
  const hosts = hostList.split(",").map((entry) => parseHostPort(entry, defaultPort));
  const auth = { ...parseUserinfo(userinfo), tls: scheme === "rediss" };
  const params = new URLSearchParams(query);
  if (kind === "cluster") {
    if (path !== "" && path !== "/")
      throw new Error("redis+cluster:// takes no path (a cluster has database 0 only)");
    if ([...params.keys()].length > 0) throw new Error("redis+cluster:// takes no query parameters");
    return { type: "cluster", nodes: hosts, ...auth };
  }
  const [, masterName = "", db = "0", ...rest] = path.split("/");
  if (!MASTER_NAME.test(decodeURIComponent(masterName)))
    throw new Error("redis+sentinel:// needs /<master name> after the Sentinel list");
  if (!/^\d{1,2}$/.test(db) || rest.length > 0)
    throw new Error("redis+sentinel://…/<master name>[/<db>]: the database is a number");
  for (const name of params.keys())
    if (name !== "sentinelUsername" && name !== "sentinelPassword")
      throw new Error(`redis+sentinel:// does not know the query parameter ${name}`);
  return {
    type: "sentinel",
    sentinels: hosts,
    masterName: decodeURIComponent(masterName),
    db: Number(db),
    sentinelUsername: params.get("sentinelUsername") ?? undefined,
    sentinelPassword: params.get("sentinelPassword") ?? undefined,
    ...auth,
  };
}

/** Why `url` is not a usable `KEYGATE_REDIS_URL`, or undefined when it is. */
export function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Whether keys of one multi-key command must share a hash slot (Redis Cluster). */
export function isClustered(target: RedisTarget): boolean {
  return target.type === "cluster";
}

function parseHostPort(entry: string, defaultPort: number): RedisHostPort {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  const host = match?.[1];
  const port = Number(match?.[2] ?? defaultPort);
  if (host === undefined || !(port >= 1 && port <= 65535))
    throw new Error(`not a host:port in the Redis URL: "${entry}"`);
  return { host: host.startsWith("[") ? host.slice(1, -1) : host, port };
}

function parseUserinfo(userinfo: string | undefined): {
  username: string | undefined;
  password: string | undefined;
} {
  if (userinfo === undefined || userinfo === "") return { username: undefined, password: undefined };
  const colon = userinfo.indexOf(":");
  // As in a URL: `user@` names a user only; `:secret@` is a password for the default user.
  if (colon === -1) return { username: decodeURIComponent(userinfo), password: undefined };
  const username = decodeURIComponent(userinfo.slice(0, colon));
  return {
    username: username === "" ? undefined : username,
    password: decodeURIComponent(userinfo.slice(colon + 1)),
  };
}
