import { describe, expect, it } from "vitest";
import { LocalChangeBus } from "../../src/cluster/local/local-change-bus.ts";
import { joinExposition } from "../../src/metrics/join-exposition.ts";
import { createMetricsListener } from "../../src/metrics/metrics-listener.ts";
import { NodeMetrics } from "../../src/metrics/node-metrics.ts";
import { TimedVerifier } from "../../src/metrics/timed-verifier.ts";
import { VerificationMetrics } from "../../src/metrics/verification-metrics.ts";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { Verifier } from "../../src/verify/verifier.ts";
import { startGateway, startUpstream } from "../gateway/gateway-harness.ts";
import { KeyWorld, unknownSecret } from "../verify/key-world.ts";

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe("node metrics", () => {
  it("counts and times every verification, from memory and from the store, and derives the cache hit ratio", async () => {
    const world = new KeyWorld();
    const { secret } = await world.addKey((await world.addConsumer()).id);
    const verifier = new Verifier({ store: world.store, clock: world.clock, hasher: nodeHasher });
    const verification = new VerificationMetrics();
    const timed = new TimedVerifier(verifier, verification);
    const metrics = new NodeMetrics({ verification, verifier, processMetrics: false });

    expect(await timed.verify(secret, [])).toMatchObject({ code: "VALID" }); // store read
    for (let i = 0; i < 3; i++) expect(timed.verify(secret, [])).toMatchObject({ code: "VALID" }); // cache hits
    expect(await timed.verify(unknownSecret(), [])).toMatchObject({ code: "KEY_NOT_FOUND" });
    expect(timed.verify(undefined, [])).toMatchObject({ code: "KEY_MISSING" });

    const text = await metrics.text();
    expect(sample(text, 'keygate_verifications_total{outcome="VALID"}')).toBe(4);
    expect(sample(text, 'keygate_verifications_total{outcome="KEY_NOT_FOUND"}')).toBe(1);
    expect(sample(text, 'keygate_verifications_total{outcome="KEY_MISSING"}')).toBe(1);
    expect(sample(text, 'keygate_verify_duration_seconds_count{source="store"}')).toBe(2);
    expect(sample(text, 'keygate_verify_duration_seconds_count{source="memory"}')).toBe(4);
    expect(sample(text, 'keygate_verify_duration_seconds_bucket{source="memory",le="+Inf"}')).toBe(4);
    // hits 3, misses 2 (the missing key never reaches the cache)
    expect(sample(text, "keygate_verify_cache_hit_ratio")).toBeCloseTo(3 / 5);
    // Every metric name appears once, with HELP and TYPE: the exposition is valid for a scraper.
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(types).size).toBe(types.length);
  });

  it("observes how long a change took to reach this node", async () => {
    const bus = new LocalChangeBus();
    const metrics = new NodeMetrics({ verification: new VerificationMetrics(), processMetrics: false });
    bus.subscribe((change) => metrics.observeChange(change, change.at + 40));
    await bus.publish({ id: "chg_1", at: 1_000, keyIds: [], consumerIds: [], hashes: [], all: false });
    const text = await metrics.text();
    expect(sample(text, "keygate_propagation_lag_seconds_count")).toBe(1);
    expect(sample(text, 'keygate_propagation_lag_seconds_bucket{le="0.025"}')).toBe(0);
    expect(sample(text, 'keygate_propagation_lag_seconds_bucket{le="0.05"}')).toBe(1);
  });

  it("is served on the internal metrics listener with the gateway's counters, with no name twice", async () => {
    const upstream = await startUpstream();
    const verification = new VerificationMetrics();
    const world = new KeyWorld();
    const verifier = new Verifier({ store: world.store, clock: world.clock, hasher: nodeHasher });
    const metrics = new NodeMetrics({ verification, verifier, processMetrics: true });
    const gw = await startGateway(
      upstream.url,
      { verifier: new TimedVerifier(verifier, verification) },
      world,
    );
    // As start-keygate.ts composes it for a node without an admin port.
    const listener = createMetricsListener({
      metrics: async () => joinExposition([await metrics.text(), gw.gateway.metricsText()]),
      logger: gw.logger,
    });
    const { port } = await listener.listen(0, "127.0.0.1");
    try {
      const { secret } = await world.addKey((await world.addConsumer()).id);
      expect((await fetch(`${gw.url}/v2/x`, { headers: { "x-api-key": secret } })).status).toBe(200);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await response.text();
      expect(sample(text, 'keygate_verifications_total{outcome="VALID"}')).toBe(1);
      expect(sample(text, 'keygate_gateway_requests_total{outcome="VALID"}')).toBe(1);
      expect(text).toContain("# TYPE process_cpu_seconds_total counter");
      const types = text.split("\n").filter((l) => l.startsWith("# TYPE "));
      expect(new Set(types.map((l) => l.split(" ")[2])).size).toBe(types.length);
      // The gateway port itself does not serve them (security review, finding 7).
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    } finally {
      await listener.close();
      await gw.close();
      await upstream.close();
    }
  });
});
