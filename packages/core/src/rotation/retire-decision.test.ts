import { describe, expect, it } from "vitest";
import type { RotationState } from "../model.ts";
import { makeRotation, T0 } from "../testing/fixtures.ts";
import { decideRetirement } from "./retire-decision.ts";

const S = 1000;
const SUNSET = T0 + 86_400 * S;
const deadline = makeRotation({ startedAt: T0, sunsetAt: SUNSET, retire: "deadline" });
const idle = makeRotation({ startedAt: T0, sunsetAt: SUNSET, retire: "idle", idleSeconds: 900 });
const used = (at: number | null) => ({ lastUsedAt: at });

describe("decideRetirement", () => {
  it("deadline: keeps the old key until exactly sunsetAt, whatever the traffic", () => {
    expect(decideRetirement(deadline, used(null), used(T0 + S), SUNSET - 1)).toEqual({ type: "keep" });
    expect(decideRetirement(deadline, used(T0), used(T0 + S), T0 + 10_000 * S)).toEqual({ type: "keep" });
    expect(decideRetirement(deadline, used(null), used(null), SUNSET)).toEqual({
      type: "retire",
      reason: "deadline",
    });
    expect(decideRetirement(deadline, used(SUNSET), used(null), SUNSET + S)).toEqual({
      type: "retire",
      reason: "deadline",
    });
  });

  it("idle: keeps the old key while the new one has never been used", () => {
    expect(decideRetirement(idle, used(null), used(null), T0 + 10_000 * S)).toEqual({ type: "keep" });
    expect(decideRetirement(idle, used(T0 - 5000 * S), used(null), T0 + 10_000 * S)).toEqual({
      type: "keep",
    });
  });

  it("idle: retires once the new key is used and the old one has been idle for idleSeconds", () => {
    const oldLast = T0 + 100 * S;
    const newUse = used(T0 + 50 * S);
    expect(decideRetirement(idle, used(oldLast), newUse, oldLast + 900 * S - 1)).toEqual({ type: "keep" });
    expect(decideRetirement(idle, used(oldLast), newUse, oldLast + 900 * S)).toEqual({
      type: "retire",
      reason: "idle",
    });
  });

  it("idle: counts old-key use from before the rotation too, and a never-used old key as idle", () => {
    expect(decideRetirement(idle, used(T0 - 900 * S), used(T0 + S), T0 + S)).toEqual({
      type: "retire",
      reason: "idle",
    });
    expect(decideRetirement(idle, used(null), used(T0 + S), T0 + S)).toEqual({
      type: "retire",
      reason: "idle",
    });
  });

  it("idle: sunset wins, even while the old key is busy or the new one unused", () => {
    expect(decideRetirement(idle, used(SUNSET - 1), used(null), SUNSET)).toEqual({
      type: "retire",
      reason: "deadline",
    });
    expect(decideRetirement(idle, used(SUNSET - 1), used(SUNSET - 1), SUNSET)).toEqual({
      type: "retire",
      reason: "deadline",
    });
  });

  it("idle with idleSeconds 0: retires as soon as the new key is used", () => {
    const eager = { ...idle, idleSeconds: 0 };
    expect(decideRetirement(eager, used(T0 + S), used(T0 + S), T0 + S)).toEqual({
      type: "retire",
      reason: "idle",
    });
  });

  it.each<RotationState>(["completed", "rolled_back"])("keeps everything for a %s rotation", (state) => {
    expect(decideRetirement({ ...idle, state }, used(null), used(T0), SUNSET + S)).toEqual({ type: "keep" });
  });
});
