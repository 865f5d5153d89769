import { describe, expect, it } from "vitest";
import { makeKey, makeRotation, T0 } from "../testing/fixtures.ts";
import { planRotationAlerts } from "./plan-rotation-alerts.ts";

const S = 1000;
const H = 3_600_000;
/** A 24 h overlap: the 1 h checkpoint is at T0 + 23 h, the 10 % one at T0 + 21.6 h. */
const rotation = makeRotation({ startedAt: T0, sunsetAt: T0 + 24 * H });
const used = (at: number | null) => makeKey({ lastUsedAt: at });
const types = (alerts: ReturnType<typeof planRotationAlerts>) => alerts.map((a) => a.dedupeKey);

describe("planRotationAlerts", () => {
  it("reports an old key used during the overlap, hourly per key", () => {
    const alerts = planRotationAlerts(rotation, used(T0 + 10 * S), T0 + 11 * S);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "key.deprecated_in_use",
      dedupeKey: "key.deprecated_in_use:key_1",
      dedupeMs: H,
      data: {
        keyId: "key_1",
        rotationId: "rot_1",
        newKeyId: "key_2",
        lastUsedAt: new Date(T0 + 10 * S).toISOString(),
      },
    });
  });

  it("says nothing for an old key unused since the rotation, or unused for an interval", () => {
    expect(planRotationAlerts(rotation, used(null), T0 + H)).toEqual([]);
    expect(planRotationAlerts(rotation, used(T0 - S), T0 + H)).toEqual([]);
    expect(planRotationAlerts(rotation, used(T0 + S), T0 + H + S)).toEqual([]);
    expect(planRotationAlerts(rotation, used(T0 + 2 * S), T0 + H + S)).toHaveLength(1);
    expect(planRotationAlerts(rotation, used(T0 + S), T0 + 2 * S, { inUseIntervalMs: 500 })).toEqual([]);
  });

  it("reports each sunset checkpoint the old key was used after, once per rotation", () => {
    expect(types(planRotationAlerts(rotation, used(T0 + 21 * H), T0 + 21 * H + S))).toEqual([
      "key.deprecated_in_use:key_1",
    ]);
    expect(types(planRotationAlerts(rotation, used(T0 + 22 * H), T0 + 22 * H + S))).toEqual([
      "key.deprecated_in_use:key_1",
      "key.sunset_approaching:rot_1:10%",
    ]);
    const late = planRotationAlerts(rotation, used(T0 + 23.5 * H), T0 + 23.5 * H + S);
    expect(types(late)).toEqual([
      "key.deprecated_in_use:key_1",
      "key.sunset_approaching:rot_1:1h",
      "key.sunset_approaching:rot_1:10%",
    ]);
    const oneHour = late.find((a) => a.dedupeKey.endsWith(":1h"));
    expect(oneHour?.data).toMatchObject({ checkpoint: "1h", remainingSeconds: 1799 });
    // The window outlasts the sunset: the rotation never reports that checkpoint again.
    expect((oneHour?.dedupeMs ?? 0) + T0 + 23.5 * H + S).toBeGreaterThan(rotation.sunsetAt);
  });

  it("with an overlap under an hour, the 1 h checkpoint passes at the start", () => {
    const short = makeRotation({ startedAt: T0, sunsetAt: T0 + 120 * S });
    expect(types(planRotationAlerts(short, used(T0 + S), T0 + 2 * S))).toEqual([
      "key.deprecated_in_use:key_1",
      "key.sunset_approaching:rot_1:1h",
    ]);
    expect(types(planRotationAlerts(short, used(T0 + 109 * S), T0 + 110 * S))).toContain(
      "key.sunset_approaching:rot_1:10%",
    );
  });

  it("says nothing once the rotation is over or past its sunset", () => {
    expect(planRotationAlerts({ ...rotation, state: "completed" }, used(T0 + S), T0 + 2 * S)).toEqual([]);
    expect(planRotationAlerts(rotation, used(T0 + 24 * H - S), T0 + 24 * H)).toEqual([]);
  });
});
