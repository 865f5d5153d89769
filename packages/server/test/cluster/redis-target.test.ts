import { describe, expect, it } from "vitest";
import { groupByTag } from "../../src/cluster/redis/counters/tag-groups.ts";
import { redisBusKeys } from "../../src/cluster/redis/redis-bus-keys.ts";
import { parseRedisUrl, redisUrlProblem } from "../../src/cluster/redis/redis-target.ts";
import { loadConfig } from "../../src/config/load-config.ts";

describe("KEYGATE_REDIS_URL forms", () => {
  it("passes a single primary's URL through unchanged", () => {
    expect(parseRedisUrl("redis://:pw@127.0.0.1:6379/2")).toEqual({
      type: "single",
      url: "redis://:pw@127.0.0.1:6379/2",
    });
    expect(parseRedisUrl("rediss://cache.example:6380")).toMatchObject({ type: "single" });
  });

  it("reads a cluster seed list with credentials and TLS", () => {
    expect(parseRedisUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-c")).toEqual({
      type: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "redis-c", port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl("rediss+cluster://app:s%40cret@[::1]:7000")).toEqual({
      type: "cluster",
      nodes: [{ host: "::1", port: 7000 }],
      username: "app",
      password: "s@cret",
      tls: true,
    });
    expect(parseRedisUrl("redis+cluster://:pw@h:1/")).toMatchObject({ username: undefined, password: "pw" });
  });

  it("reads Sentinels, the master name, the database and Sentinel credentials", () => {
    expect(
      parseRedisUrl(
        "redis+sentinel://:pw@s1:26379,s2:26380,s3/mymaster/3?sentinelPassword=sp&sentinelUsername=su",
      ),
    ).toEqual({
      type: "sentinel",
      sentinels: [
        { host: "s1", port: 26379 },
        { host: "s2", port: 26380 },
        { host: "s3", port: 26379 },
      ],
      masterName: "mymaster",
      db: 3,
      username: undefined,
      password: "pw",
      tls: false,
      sentinelUsername: "su",
      sentinelPassword: "sp",
    });
    expect(parseRedisUrl("rediss+sentinel://s1:1/m")).toMatchObject({ tls: true, db: 0, masterName: "m" });
  });

  it("names what is wrong, never the password", () => {
    const cases: Array<[string, RegExp]> = [
      ["http://x", /must be one of/],
      ["redis+cluster://", /at least one host/],
      ["redis+cluster://h:1/2", /no path/],
      ["redis+cluster://h:1?x=1", /no query/],
      ["redis+cluster://h:99999", /not a host:port/],
      ["redis+sentinel://:topsecret@s:1", /master name/],
      ["redis+sentinel://s:1/m/x", /database is a number/],
      ["redis+sentinel://s:1/m?foo=1", /query parameter foo/],
      ["redis+shard://h:1", /must be one of/],
    ];
    for (const [url, message] of cases) {
      const problem = redisUrlProblem(url);
      expect(problem, url).toMatch(message);
      expect(problem).not.toContain("topsecret");
    }
    expect(redisUrlProblem("redis+cluster://a:1,b:2")).toBeUndefined();
  });
});

describe("KEYGATE_REDIS_URL in the config", () => {
  const env = (url: string) => ({ KEYGATE_DATABASE_URL: "memory:", KEYGATE_REDIS_URL: url });
  const load = (url: string) => loadConfig(env(url), "admin");

  it("accepts every topology and refuses a malformed one with the reason", () => {
    for (const url of [
      "redis://127.0.0.1:6379",
      "redis+cluster://a:1,b:2",
      "rediss+sentinel://:pw@s:1,t:2/main",
    ])
      expect(load(url).redisUrl).toBe(url);
    expect(() => load("redis+sentinel://:hunter2@s:1")).toThrow(/KEYGATE_REDIS_URL.*master name/s);
    expect(() => load("redis+sentinel://:hunter2@s:1")).not.toThrow(/hunter2/);
  });
});

describe("hash tags", () => {
  it("puts every bus key in one slot on Cluster and keeps earlier names elsewhere", () => {
    const tagged = redisBusKeys("keygate:", true);
    const names = [
      tagged.stream,
      tagged.nodes,
      tagged.acksChannel,
      tagged.node("n1"),
      tagged.change("c"),
      tagged.changeAcks("c"),
    ];
    for (const name of names) expect(name.startsWith("keygate:{bus}:")).toBe(true);
    const plain = redisBusKeys("keygate:");
    expect([plain.stream, plain.nodes, plain.change("c"), plain.changeAcks("c")]).toEqual([
      "keygate:changes",
      "keygate:nodes",
      "keygate:change:c",
      "keygate:change:c:acks",
    ]);
  });

  it("groups counter keys by consumer, keeping order", () => {
    const items = ["a:r", "b:q", "a:q", "c", "b:r"].map((key) => ({ key }));
    expect(groupByTag(items).map((group) => group.map((item) => item.key))).toEqual([
      ["a:r", "a:q"],
      ["b:q", "b:r"],
      ["c"],
    ]);
  });
});
