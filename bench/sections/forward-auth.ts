import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  binary,
  type RunningProxy,
  startNginx,
  templatedExample,
} from "../../e2e/support/forward-proxies.ts";
import { freePort } from "../../e2e/support/free-port.ts";
import {
  type BenchContext,
  type BenchFact,
  type BenchResult,
  type BenchSection,
  mean,
  median,
  result,
} from "../lib/bench-result.ts";
import type { Child } from "../lib/child.ts";
import {
  cpuMicrosPerRequest,
  errorsNote,
  interleavedRounds,
  type LoadRound,
  type LoadTarget,
  loadTarget,
  perRoundRatios,
  pinCores,
  simultaneousComparison,
  simultaneousRounds,
  startServerUnderTest,
  startUpstream,
  warmUp,
} from "../lib/interleaved-rounds.ts";

const WHICH = ["nginx", "keygateAuthz", "noopAuthz", "gateway", "nginxMap"] as const;
type Which = (typeof WHICH)[number];

const NAMES: Record<Which, string> = {
  nginx: "nginx alone",
  keygateAuthz: "nginx + keygate authz",
  noopAuthz: "nginx + no-op authz",
  gateway: "keygate gateway",
  nginxMap: "nginx + static key map",
};

/** Keys in the static `map` (the real one among them): a provider's whole key list compiled into nginx. */
const MAP_KEYS = 10_000;

/** nginx proxying to the upstream and nothing else: the ceiling. */
function nginxAloneConfig(listen: number, upstream: number): string {
  return `events {}
http {
    upstream api { server 127.0.0.1:${upstream}; keepalive 32; }
    server {
        listen 127.0.0.1:${listen};
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://api;
        }
    }
}
`;
}

/**
 * nginx checking keys itself against a static `map` of 10,000 keys (the
 * do-it-yourself alternative: no rotation, no limits, a reload per change).
 */
function nginxMapConfig(listen: number, upstream: number, secret: string): string {
  const lines = [`        "${secret}" "con_bench";`];
  for (let i = 1; i < MAP_KEYS; i++) {
    lines.push(`        "kg_live_${randomBytes(24).toString("base64url")}" "con_${i}";`);
  }
  return `events {}
http {
    map_hash_bucket_size 128;
    map_hash_max_size ${MAP_KEYS * 2};
    map $http_x_api_key $consumer_id {
        default "";
${lines.join("\n")}
    }
    upstream api { server 127.0.0.1:${upstream}; keepalive 32; }
    server {
        listen 127.0.0.1:${listen};
        location / {
            if ($consumer_id = "") { return 401; }
            proxy_set_header X-Keygate-Consumer-Id $consumer_id;
            proxy_set_header X-Api-Key "";
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://api;
        }
    }
}
`;
}

/** nginx's worker processes (children of its master), for CPU time. */
function nginxWorkers(master: number): number[] {
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((pid) => pid !== "")
      .map(Number);
  } catch {
    return [];
  }
}

function nginxTarget(proxy: RunningProxy, port: number, secret: string, behind?: number): LoadTarget {
  const workers = nginxWorkers(proxy.pid);
  return {
    port,
    pid: proxy.pid,
    headers: { "x-api-key": secret },
    extraPids: behind === undefined ? workers : [...workers, behind],
  };
}

/**
 * Forward auth measured side by side with nginx (issue 14): nginx alone
 * (proxy only), nginx asking keygate's forward-auth port (the shipped
 * examples/forward-auth/nginx.conf, ports templated), the same config asking
 * a no-op `node:http` authz that answers 200 unchecked, keygate's own
 * gateway, and nginx checking keys in a static 10,000-key `map`. Same
 * upstream (core 0), same autocannon load (core 0), interleaved rounds; the
 * servers under test (nginx with one worker, the authz servers, the gateway)
 * pinned to core 1. CPU per request sums every process of a side (nginx's
 * master and worker, plus the authz server behind it). Installs nothing:
 * without nginx the section says so and skips, except under CI=true.
 */
export const forwardAuth: BenchSection = {
  name: "forward-auth",
  description:
    "nginx alone vs nginx + keygate authz vs nginx + no-op authz vs keygate gateway vs nginx static key map (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const section = "forward-auth";
    if (binary("nginx") === undefined) {
      if (process.env.CI === "true") throw new Error("forward-auth bench: nginx is required when CI=true");
      context.log("nginx not installed (apt-get install nginx): section skipped");
      return {
        results: [],
        facts: [{ section, name: "skipped: nginx not installed", value: 0, unit: "bool" }],
      };
    }
    const seconds = context.quick ? 2 : 4;
    const rounds = context.quick ? 2 : 4;
    const pin = pinCores();
    const cpus = pin ? "1" : undefined;
    const children: Child<unknown>[] = [];
    const proxies: RunningProxy[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const upstreamPort = upstream.child.ready.port;
      const authz = await startServerUnderTest<{ port: number; secret: string }>("authz", [], pin);
      children.push(authz);
      const noop = await startServerUnderTest<{ port: number }>("noop-authz", [], pin);
      children.push(noop);
      const gateway = await startServerUnderTest<{ port: number; secret: string }>(
        "gateway",
        [upstream.url],
        pin,
      );
      children.push(gateway);
      const secret = authz.ready.secret;
      const nginx = async (
        config: (listen: number) => string,
      ): Promise<{ proxy: RunningProxy; port: number }> => {
        const listen = await freePort();
        const proxy = await startNginx(
          { listen, authz: 0, upstream: upstreamPort },
          { config: config(listen), cpus, accessLog: false },
        );
        proxies.push(proxy);
        return { proxy, port: listen };
      };
      const alone = await nginx((listen) => nginxAloneConfig(listen, upstreamPort));
      const withKeygate = await nginx((listen) =>
        templatedExample("nginx.conf", { listen, authz: authz.ready.port, upstream: upstreamPort }),
      );
      const withNoop = await nginx((listen) =>
        templatedExample("nginx.conf", { listen, authz: noop.ready.port, upstream: upstreamPort }),
      );
      const withMap = await nginx((listen) => nginxMapConfig(listen, upstreamPort, secret));
      const targets: Record<Which, LoadTarget> = {
        nginx: nginxTarget(alone.proxy, alone.port, secret),
        keygateAuthz: nginxTarget(withKeygate.proxy, withKeygate.port, secret, authz.process.pid),
        noopAuthz: nginxTarget(withNoop.proxy, withNoop.port, secret, noop.process.pid),
        gateway: loadTarget(gateway, gateway.ready.secret),
        nginxMap: nginxTarget(withMap.proxy, withMap.port, secret),
      };

      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, WHICH, seconds);
      const measured = await interleavedRounds({
        targets,
        order: WHICH,
        rounds,
        seconds,
        log: (line) => context.log(line),
        describe: (which, round) =>
          `${NAMES[which].padEnd(24)} ${round.requestsPerSecond.toFixed(0)} req/s, p99 ${round.p99Ms} ms, ` +
          `${round.cpuMicrosPerRequest?.toFixed(0) ?? "?"} µs CPU/req`,
      });

      // keygate's answer against the no-op answer, both behind their own nginx, loaded at once on their
      // shared core: the machine's background load falls on both sides alike (see `simultaneousRounds`).
      const together = await simultaneousRounds({
        measured: targets.keygateAuthz,
        baseline: targets.noopAuthz,
        rounds: rounds * 2,
        seconds,
        names: ["nginx + keygate authz", "nginx + no-op authz"],
        log: (line) => context.log(line),
      });
      const note = errorsNote(...WHICH.map((which) => measured[which]), together.measured, together.baseline);
      const compare = (which: Which, baseline: Which, target?: number): BenchResult => ({
        ...result({
          section,
          name: `${NAMES[which]} req/s`,
          value: mean(measured[which].map((r) => r.requestsPerSecond)),
          unit: "req/s",
          baselineName: `${NAMES[baseline]} req/s`,
          baseline: mean(measured[baseline].map((r) => r.requestsPerSecond)),
          higherIsBetter: true,
          ...(target === undefined ? {} : { target, targetOn: "ratio" as const }),
          note:
            note === undefined
              ? "ratio: median of per-round ratios"
              : `ratio: median of per-round ratios; ${note}`,
        }),
        // The median of per-round ratios: each round's two numbers come from neighbouring seconds.
        ratio: median(perRoundRatios(measured[which], measured[baseline])),
      });
      const cpu = (which: Which, baseline: Which): BenchResult | undefined => {
        const of = (rounds: readonly LoadRound[]) => cpuMicrosPerRequest(rounds);
        const mine = of(measured[which]);
        const theirs = of(measured[baseline]);
        if (mine === undefined || theirs === undefined) return undefined;
        return result({
          section,
          name: `${NAMES[which]} CPU per request`,
          value: mean(mine),
          unit: "µs",
          baselineName: `${NAMES[baseline]} CPU per request`,
          baseline: mean(theirs),
          higherIsBetter: false,
        });
      };
      const results: BenchResult[] = [
        simultaneousComparison({
          section,
          measured: { name: NAMES.keygateAuthz, rounds: together.measured },
          baseline: { name: NAMES.noopAuthz, rounds: together.baseline },
          target: 0.85,
          note,
        }),
        compare("keygateAuthz", "noopAuthz"),
        compare("keygateAuthz", "nginx", 0.5),
        compare("noopAuthz", "nginx"),
        compare("gateway", "nginx"),
        compare("nginxMap", "nginx"),
        compare("gateway", "keygateAuthz"),
      ];
      for (const [which, baseline] of [
        ["keygateAuthz", "noopAuthz"],
        ["keygateAuthz", "nginx"],
        ["gateway", "keygateAuthz"],
        ["nginxMap", "nginx"],
      ] as const) {
        const line = cpu(which, baseline);
        if (line !== undefined) results.push(line);
      }
      const facts: BenchFact[] = WHICH.map((which) => ({
        section,
        name: `${NAMES[which]}: p99 (mean of rounds)`,
        value: mean(measured[which].map((r) => r.p99Ms)),
        unit: "ms",
      }));
      facts.push(
        { section, name: "rounds × seconds per side, interleaved", value: rounds * seconds, unit: "s" },
        {
          section,
          name: "rounds × seconds, keygate vs no-op authz simultaneous",
          value: rounds * 2 * seconds,
          unit: "s",
        },
        { section, name: "keys in the static map", value: MAP_KEYS, unit: "" },
        {
          section,
          name: "servers under test pinned to core 1 (nginx: 1 worker)",
          value: pin ? 1 : 0,
          unit: "bool",
        },
      );
      return { results, facts };
    } finally {
      for (const proxy of proxies) await proxy.stop();
      for (const child of children.reverse()) await child.stop();
    }
  },
};
