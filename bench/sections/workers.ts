import { type BenchContext, type BenchFact, type BenchSection, mean, result } from "../lib/bench-result.ts";
import type { Child } from "../lib/child.ts";
import {
  errorsNote,
  interleavedRounds,
  type LoadTarget,
  pinCores,
  roundComparison,
  startUpstream,
  warmUp,
} from "../lib/interleaved-rounds.ts";
import { type KeygateNode, startKeygateNode } from "../lib/keygate-node.ts";

/** A consumer under a plan far from its limits: every request also runs the limiter (leases, not refusals). */
async function seedKey(node: KeygateNode): Promise<string> {
  await node.admin("PUT", "/v1/plans/bench", {
    rateLimit: { limit: 1_000_000_000, windowSeconds: 60 },
    quota: { limit: 1_000_000_000_000, period: "month" },
  });
  const consumer = await node.admin<{ id: string }>("POST", "/v1/consumers", {
    name: "bench",
    plan: "bench",
  });
  const key = await node.admin<{ secret: string }>("POST", `/v1/consumers/${consumer.id}/keys`, {
    name: "bench",
  });
  return key.secret;
}

async function targetOf(node: KeygateNode, secret: string): Promise<LoadTarget> {
  return {
    port: node.gatewayPort,
    pid: node.pid,
    headers: { "x-api-key": secret },
    // CPU per request counts every process of the node: the primary and its workers.
    extraPids: await node.workerPids(),
  };
}

/**
 * `keygate start --workers 2` against one process (`KEYGATE_WORKERS=1`): the
 * real CLI on SQLite, a consumer with a plan (so the limiter leases), GET
 * through the gateway, autocannon 50 connections. As the other sections pin:
 * autocannon and the upstream on core 0; the single process on core 1; the
 * workers on cores 0-1, so on a 2-core machine the second worker competes
 * with the load generator and the upstream for core 0. A third node, 2
 * workers confined to core 1, measures what being several processes costs
 * on the same CPU budget (primary handing connections over, IPC leases).
 */
export const workers: BenchSection = {
  name: "workers",
  description:
    "keygate start --workers 2 vs one process: req/s, p99 and CPU per request (autocannon, 50 connections)",
  async run(context: BenchContext) {
    const seconds = context.quick ? 3 : 5;
    const rounds = context.quick ? 2 : 3;
    const pin = pinCores();
    const children: Child<unknown>[] = [];
    const nodes: KeygateNode[] = [];
    try {
      const upstream = await startUpstream(pin);
      children.push(upstream.child);
      const start = async (count: number, cpus: string) => {
        const node = await startKeygateNode({
          workers: count,
          upstream: upstream.url,
          cpus: pin ? cpus : undefined,
        });
        nodes.push(node);
        return node;
      };
      context.log("starting one process (core 1), 2 workers (cores 0-1) and 2 workers (core 1)");
      const one = await start(1, "1");
      const two = await start(2, "0,1");
      const twoOnOneCore = pin ? await start(2, "1") : undefined;
      const targets = {
        one: await targetOf(one, await seedKey(one)),
        workers: await targetOf(two, await seedKey(two)),
        ...(twoOnOneCore === undefined
          ? {}
          : { "w-1core": await targetOf(twoOnOneCore, await seedKey(twoOnOneCore)) }),
      } as Record<"one" | "workers" | "w-1core", LoadTarget>;
      const order =
        twoOnOneCore === undefined ? (["one", "workers"] as const) : (["one", "workers", "w-1core"] as const);

      context.log(`warming up (${seconds} s each)`);
      await warmUp(targets, order, seconds);
      const measured = await interleavedRounds({
        targets,
        order,
        rounds,
        seconds,
        log: (line) => context.log(line),
        describe: (which, round) =>
          `${which.padEnd(8)} ${round.requestsPerSecond.toFixed(0)} req/s, p99 ${round.p99Ms} ms, ` +
          `${round.cpuMicrosPerRequest?.toFixed(0) ?? "?"} µs CPU/request`,
      });
      const section = "workers";
      const oneRounds = measured.one;
      const workerRounds = measured.workers;
      const sameCore = twoOnOneCore === undefined ? undefined : measured["w-1core"];
      const errors = errorsNote(oneRounds, workerRounds, sameCore ?? []);
      const vsOne = roundComparison({
        section,
        measured: { name: "2 workers (cores 0-1)", rounds: workerRounds },
        baseline: { name: "one process (core 1)", rounds: oneRounds },
        average: mean,
        note:
          errors ??
          (pin
            ? "core 0 also runs autocannon and the upstream: the second worker gets what they leave"
            : undefined),
      });
      const results = [vsOne.requestsPerSecond, vsOne.p99, ...(vsOne.cpu === undefined ? [] : [vsOne.cpu])];
      if (sameCore !== undefined) {
        const onOneCore = roundComparison({
          section,
          measured: { name: "2 workers on core 1 alone", rounds: sameCore },
          baseline: { name: "one process (core 1)", rounds: oneRounds },
          average: mean,
          note: "same CPU budget: the cost of being several processes",
        });
        const perCore = mean(sameCore.map((r) => r.requestsPerSecond));
        const single = mean(oneRounds.map((r) => r.requestsPerSecond));
        results.push(onOneCore.requestsPerSecond, ...(onOneCore.cpu === undefined ? [] : [onOneCore.cpu]), {
          ...result({
            section,
            name: "2 workers on 2 free cores req/s (projected)",
            value: 2 * perCore,
            unit: "req/s",
            baselineName: "one process (core 1) req/s",
            baseline: single,
            higherIsBetter: true,
          }),
          target: 1.6,
          targetOn: "ratio",
          note: "derived, not measured: 2 × the rate of 2 workers sharing core 1 (each worker a core of its own, the primary's share negligible)",
        });
      }
      const facts: BenchFact[] = [
        { section, name: "rounds × seconds per node", value: rounds * seconds, unit: "s" },
        { section, name: "autocannon and upstream pinned to core 0", value: pin ? 1 : 0, unit: "bool" },
      ];
      return { results, facts };
    } finally {
      for (const node of nodes.reverse()) await node.stop();
      for (const child of children.reverse()) await child.stop();
    }
  },
};
