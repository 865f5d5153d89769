import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../model.ts";
import { type CommandOutcome, type LineageCommand, LineageHarness } from "../testing/lineage-harness.ts";

/**
 * Model-based tests of the key lifecycle: any sequence of operator, consumer
 * and job actions, interleaved with clock moves, driven through core's
 * planners (see LineageHarness). After every command, and at every moment in
 * between at which a key's validity can change, the invariants below hold.
 */

const keyTarget = fc.oneof(
  { weight: 4, arbitrary: fc.constant("head" as const) },
  { weight: 1, arbitrary: fc.nat({ max: 30 }) },
);
const rotationTarget = fc.oneof(
  { weight: 4, arbitrary: fc.constant("latestOpen" as const) },
  { weight: 1, arbitrary: fc.nat({ max: 30 }) },
);

const commandArb: fc.Arbitrary<LineageCommand> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      type: fc.constant("rotate" as const),
      target: keyTarget,
      overlapSeconds: fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 5, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
      ),
      retire: fc.constantFrom("deadline" as const, "idle" as const),
      idleSeconds: fc.integer({ min: 0, max: 3_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("rollback" as const), target: rotationTarget }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("complete" as const), target: rotationTarget }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("revoke" as const), target: keyTarget }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("requestRotation" as const),
      target: keyTarget,
      sunsetOffsetSeconds: fc.integer({ min: -100, max: 20_000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("useKey" as const),
      which: fc.constantFrom("old" as const, "new" as const),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      type: fc.constant("advanceClock" as const),
      seconds: fc.integer({ min: 0, max: 20_000 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ type: "runRetirementJob" as const }) },
);

const commandsArb = fc.array(commandArb, { minLength: 1, maxLength: 60 });

/** Why a lineage may legitimately have no valid key at `at`; null when nothing excuses it. */
function lossExcuse(h: LineageHarness, at: number): string | null {
  if (h.keys.some((k) => k.status === "revoked" && k.revokedReason !== "rolled_back"))
    return "a key was revoked";
  // request-rotation / policy: the consumer never rotated, so its key stopped at the announced sunset.
  const dueAndPast = (k: KeyRecord) =>
    k.status === "active" &&
    k.sunsetAt !== null &&
    k.sunsetAt <= at &&
    h.requestedSunsets.get(k.id) === k.sunsetAt;
  if (h.keys.some(dueAndPast)) {
    return "a due key reached its sunset unrotated";
  }
  return null;
}

function describeKeys(h: LineageHarness, at: number): string {
  return h.keys
    .map((k) => `${k.id} v${k.version} ${k.status} sunset=${k.sunsetAt} → ${h.validity(k, at).type}`)
    .join("; ");
}

/** Checks the invariants at one moment and remembers which keys have died. */
class Observer {
  /** Keys seen invalid by expiry or revocation: they must never be valid again. */
  readonly dead = new Set<string>();

  atMoment(h: LineageHarness, at: number): void {
    const valid: KeyRecord[] = [];
    for (const key of h.keys) {
      const validity = h.validity(key, at);
      if (validity.type === "valid") {
        // (b) once expired or revoked, never valid again.
        if (this.dead.has(key.id))
          throw new Error(`(b) ${key.id} came back to life at ${at}: ${describeKeys(h, at)}`);
        valid.push(key);
      } else {
        this.dead.add(key.id);
      }
    }
    // (a) never a moment without a valid key, unless a revocation or an unrotated due key explains it.
    if (valid.length === 0 && lossExcuse(h, at) === null) {
      throw new Error(`(a) no valid key at ${at}: ${describeKeys(h, at)}`);
    }
  }

  afterCommand(h: LineageHarness): void {
    this.atMoment(h, h.now);
    // (c) at most one active key, and it is the newest key that was not revoked.
    const active = h.keys.filter((k) => k.status === "active");
    if (active.length > 1) throw new Error(`(c) ${active.length} active keys: ${describeKeys(h, h.now)}`);
    const head = active[0];
    if (head) {
      const newerLive = h.keys.filter((k) => k.version > head.version && k.status !== "revoked");
      if (newerLive.length > 0)
        throw new Error(`(c) active ${head.id} is not the newest: ${describeKeys(h, h.now)}`);
    }
    // (d) versions strictly increase in creation order.
    for (let i = 1; i < h.keys.length; i++) {
      const [prev, next] = [h.keys[i - 1], h.keys[i]];
      if (!prev || !next || next.version <= prev.version)
        throw new Error(`(d) versions: ${describeKeys(h, h.now)}`);
    }
    // Rotation records agree with their keys.
    for (const r of h.rotations) {
      const oldKey = h.key(r.oldKeyId);
      const newKey = h.key(r.newKeyId);
      if (r.state === "overlapping" && oldKey.status !== "deprecated") {
        throw new Error(`overlapping ${r.id} has old key ${oldKey.status}`);
      }
      if (r.state === "completed" && oldKey.status !== "expired" && oldKey.status !== "revoked") {
        throw new Error(`completed ${r.id} has old key ${oldKey.status}`);
      }
      if (r.state === "rolled_back" && newKey.status !== "revoked") {
        throw new Error(`rolled back ${r.id} has new key ${newKey.status}`);
      }
      if (newKey.version <= oldKey.version) throw new Error(`${r.id} does not move the version forward`);
    }
  }
}

/**
 * Whether the contract says a command must be accepted (true), refused
 * (false), or leaves it to the planner (null), judged from the state before it.
 */
function expectedAcceptance(h: LineageHarness, command: LineageCommand): boolean | null {
  const pickKey = (target: "head" | number) =>
    target === "head" ? h.head() : h.keys[target % h.keys.length];
  const pickRotation = (target: "latestOpen" | number) =>
    target === "latestOpen" ? h.latestOpenRotation() : h.rotations[target % Math.max(1, h.rotations.length)];
  switch (command.type) {
    case "rotate": {
      // Only the newest key of a lineage, while it is active and valid.
      const key = pickKey(command.target);
      return key !== undefined && key.status === "active" && h.validity(key).type === "valid";
    }
    case "revoke":
      return pickKey(command.target)?.status !== "revoked";
    case "requestRotation": {
      const key = pickKey(command.target);
      return (
        key !== undefined &&
        key.status === "active" &&
        h.validity(key).type === "valid" &&
        command.sunsetOffsetSeconds > 0
      );
    }
    case "complete":
      return pickRotation(command.target)?.state === "overlapping";
    case "rollback": {
      // Only during the overlap; always while the successor is still the lineage's active key.
      const rotation = pickRotation(command.target);
      if (rotation === undefined || rotation.state !== "overlapping" || h.now >= rotation.sunsetAt)
        return false;
      return h.key(rotation.newKeyId).status === "active" ? true : null;
    }
    case "useKey": {
      const open = h.latestOpenRotation();
      const key = open ? h.key(command.which === "old" ? open.oldKeyId : open.newKeyId) : h.head();
      return h.validity(key).type === "valid";
    }
    case "advanceClock":
    case "runRetirementJob":
      return true;
  }
}

function run(commands: readonly LineageCommand[]): { outcomes: CommandOutcome[] } {
  const h = new LineageHarness();
  const observer = new Observer();
  const outcomes: CommandOutcome[] = [];
  observer.afterCommand(h);
  for (const command of commands) {
    const before = h.snapshot();
    const from = h.now;
    const expected = expectedAcceptance(h, command);
    const outcome = h.apply(command);
    outcomes.push(outcome);
    if (expected !== null && outcome.applied !== expected) {
      const detail = outcome.applied ? "" : `: ${outcome.detail}`;
      throw new Error(`${command.type} ${outcome.applied ? "accepted" : "rejected"} unexpectedly${detail}`);
    }
    // (e) a rejected plan changes nothing (records are frozen, so no planner can mutate them either).
    if (!outcome.applied && h.snapshot() !== before)
      throw new Error(`(e) rejected ${command.type} changed the state`);
    if (command.type === "advanceClock") {
      // Validity only changes at sunsets and expiries: check each one crossed.
      for (const at of h.boundaries(from, h.now)) {
        observer.atMoment(h, at - 1);
        observer.atMoment(h, at);
      }
    }
    observer.afterCommand(h);
    if (command.type === "rotate" && outcome.applied && outcome.newKeyId !== undefined) {
      // After any rotation, emergency or not, the successor works at once.
      expect(h.validity(h.key(outcome.newKeyId)).type).toBe("valid");
      if (outcome.emergency) {
        const rotation = h.rotations.at(-1);
        expect(rotation && h.validity(h.key(rotation.oldKeyId)).type).toBe("invalid");
      }
    }
    if (command.type === "runRetirementJob") {
      // The job leaves no overlapping rotation past its sunset.
      for (const r of h.rotations) {
        if (r.state === "overlapping") expect(h.now).toBeLessThan(r.sunsetAt);
      }
    }
  }
  return { outcomes };
}

describe("key lifecycle (model-based)", () => {
  it("keeps the lineage invariants for any sequence of commands and clock moves", () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        run(commands);
      }),
      { numRuns: Number(process.env.LIFECYCLE_RUNS ?? 3000) },
    );
  });

  it("exercises every command, accepted and rejected (the property above is not vacuous)", () => {
    const accepted = new Map<string, number>();
    const refused = new Map<string, number>();
    let emergencies = 0;
    for (const commands of fc.sample(commandsArb, { numRuns: 300, seed: 1 })) {
      const { outcomes } = run(commands);
      commands.forEach((command, i) => {
        const outcome = outcomes[i];
        const tally = outcome?.applied ? accepted : refused;
        tally.set(command.type, (tally.get(command.type) ?? 0) + 1);
        if (outcome?.applied && outcome.emergency) emergencies++;
      });
    }
    for (const type of ["rotate", "rollback", "complete", "revoke", "requestRotation", "useKey"]) {
      expect(accepted.get(type) ?? 0, `${type} accepted`).toBeGreaterThan(20);
      expect(refused.get(type) ?? 0, `${type} refused`).toBeGreaterThan(5);
    }
    expect(emergencies).toBeGreaterThan(20);
  });
});
