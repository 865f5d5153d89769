import { describe, expect, it } from "vitest";
import { aggregateExpositions } from "../../src/workers/aggregate-exposition.ts";

const primary = [
  "# HELP keygate_verifications_total Verifications by result.",
  "# TYPE keygate_verifications_total counter",
  'keygate_verifications_total{result="valid"} 2',
  "# HELP keygate_verify_duration_seconds Time to verify.",
  "# TYPE keygate_verify_duration_seconds histogram",
  'keygate_verify_duration_seconds_bucket{le="0.001"} 1',
  'keygate_verify_duration_seconds_bucket{le="+Inf"} 2',
  "keygate_verify_duration_seconds_sum 0.003",
  "keygate_verify_duration_seconds_count 2",
  "# HELP process_start_time_seconds Start time.",
  "# TYPE process_start_time_seconds gauge",
  "process_start_time_seconds 100",
  "# HELP keygate_bus_connected Bus.",
  "# TYPE keygate_bus_connected gauge",
  "keygate_bus_connected 1",
  "# HELP keygate_limits_degraded Degraded.",
  "# TYPE keygate_limits_degraded gauge",
  "keygate_limits_degraded 0",
  "# HELP keygate_verify_cache_hit_ratio Ratio.",
  "# TYPE keygate_verify_cache_hit_ratio gauge",
  "keygate_verify_cache_hit_ratio 1",
  "# HELP nodejs_heap_size_used_bytes Heap.",
  "# TYPE nodejs_heap_size_used_bytes gauge",
  "nodejs_heap_size_used_bytes 10",
  "",
].join("\n");

const worker = [
  "# HELP keygate_verifications_total Verifications by result.",
  "# TYPE keygate_verifications_total counter",
  'keygate_verifications_total{result="valid"} 5',
  'keygate_verifications_total{result="KEY_REVOKED"} 1',
  "# HELP keygate_verify_duration_seconds Time to verify.",
  "# TYPE keygate_verify_duration_seconds histogram",
  'keygate_verify_duration_seconds_bucket{le="0.001"} 4',
  'keygate_verify_duration_seconds_bucket{le="+Inf"} 6',
  "keygate_verify_duration_seconds_sum 0.007",
  "keygate_verify_duration_seconds_count 6",
  "# HELP process_start_time_seconds Start time.",
  "# TYPE process_start_time_seconds gauge",
  "process_start_time_seconds 90",
  "# HELP keygate_bus_connected Bus.",
  "# TYPE keygate_bus_connected gauge",
  "keygate_bus_connected 0",
  "# HELP keygate_limits_degraded Degraded.",
  "# TYPE keygate_limits_degraded gauge",
  "keygate_limits_degraded 1",
  "# HELP keygate_verify_cache_hit_ratio Ratio.",
  "# TYPE keygate_verify_cache_hit_ratio gauge",
  "keygate_verify_cache_hit_ratio 0.5",
  "# HELP nodejs_heap_size_used_bytes Heap.",
  "# TYPE nodejs_heap_size_used_bytes gauge",
  "nodejs_heap_size_used_bytes 30",
  "# HELP keygate_gateway_requests_total Gateway requests.",
  "# TYPE keygate_gateway_requests_total counter",
  "keygate_gateway_requests_total 6",
  "",
].join("\n");

function sample(text: string, series: string): string | undefined {
  return text
    .split("\n")
    .find((line) => line.startsWith(`${series} `))
    ?.slice(series.length + 1);
}

describe("aggregateExpositions (/metrics of a node run with --workers)", () => {
  const text = aggregateExpositions([primary, worker, worker]);

  it("adds up counters and histograms series by series, including series only some processes report", () => {
    expect(sample(text, 'keygate_verifications_total{result="valid"}')).toBe("12");
    expect(sample(text, 'keygate_verifications_total{result="KEY_REVOKED"}')).toBe("2");
    expect(sample(text, 'keygate_verify_duration_seconds_bucket{le="0.001"}')).toBe("9");
    expect(sample(text, 'keygate_verify_duration_seconds_bucket{le="+Inf"}')).toBe("14");
    expect(sample(text, "keygate_verify_duration_seconds_count")).toBe("14");
    expect(Number(sample(text, "keygate_verify_duration_seconds_sum"))).toBeCloseTo(0.017);
    expect(sample(text, "keygate_gateway_requests_total")).toBe("12");
  });

  it("combines gauges by what they mean: earliest start, any process cut off or degraded shows, mean ratio, summed memory", () => {
    expect(sample(text, "process_start_time_seconds")).toBe("90");
    expect(sample(text, "keygate_bus_connected")).toBe("0");
    expect(sample(text, "keygate_limits_degraded")).toBe("1");
    expect(Number(sample(text, "keygate_verify_cache_hit_ratio"))).toBeCloseTo(2 / 3);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBe("70");
  });

  it("writes each family's HELP and TYPE once, before its samples", () => {
    const lines = text.split("\n");
    expect(lines.filter((line) => line === "# TYPE keygate_verifications_total counter")).toHaveLength(1);
    const type = lines.indexOf("# TYPE keygate_verify_duration_seconds histogram");
    const bucket = lines.findIndex((line) => line.startsWith("keygate_verify_duration_seconds_bucket"));
    expect(type).toBeGreaterThan(-1);
    expect(bucket).toBe(type + 1);
  });
});
