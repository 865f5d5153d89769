import { planDue } from "../keys/plan-due.ts";
import { planRevocation } from "../keys/plan-revocation.ts";
import { decideKeyValidity } from "../keys/verify-key.ts";
import type { Consumer, KeyRecord, RetirePolicy, Rotation } from "../model.ts";
import { planCompletion } from "../rotation/plan-completion.ts";
import { planRollback } from "../rotation/plan-rollback.ts";
import { planRotation } from "../rotation/plan-rotation.ts";
import { decideRetirement } from "../rotation/retire-decision.ts";
import { FakeClock } from "./fake-clock.ts";
import { makeConsumer, makeKey, T0 } from "./fixtures.ts";

/**
 * Test-only model of one key lineage, built from core's planners alone. It
 * applies each decision the way the server's services do (one unit of work per
 * command, all or nothing) so property tests can drive any sequence of
 * commands and clock moves through the real domain rules.
 */

/** `head` is the lineage's active key (else its newest); a number picks any key by index. */
export type KeyTarget = "head" | number;
/** `latestOpen` is the newest overlapping rotation; a number picks any rotation by index. */
export type RotationTarget = "latestOpen" | number;

export type LineageCommand =
  | {
      readonly type: "rotate";
      readonly target: KeyTarget;
      readonly overlapSeconds: number;
      readonly retire: RetirePolicy;
      readonly idleSeconds: number;
    }
  | { readonly type: "rollback"; readonly target: RotationTarget }
  | { readonly type: "complete"; readonly target: RotationTarget }
  | { readonly type: "revoke"; readonly target: KeyTarget }
  | { readonly type: "requestRotation"; readonly target: KeyTarget; readonly sunsetOffsetSeconds: number }
  | { readonly type: "useKey"; readonly which: "old" | "new" }
  | { readonly type: "advanceClock"; readonly seconds: number }
  | { readonly type: "runRetirementJob" };

export type CommandOutcome =
  | { readonly applied: true; readonly emergency?: boolean; readonly newKeyId?: string }
  | { readonly applied: false; readonly detail: string };

const APPLIED: CommandOutcome = { applied: true };

function rejected(detail: string): CommandOutcome {
  return { applied: false, detail };
}

/** Frozen, so a planner that mutated its input instead of copying it would throw. */
function freezeKey(key: KeyRecord): KeyRecord {
  Object.freeze(key.scopes);
  Object.freeze(key.metadata);
  return Object.freeze(key);
}

export class LineageHarness {
  readonly clock = new FakeClock(T0);
  readonly consumer: Consumer = Object.freeze(makeConsumer());
  /** In creation order. */
  readonly keys: KeyRecord[] = [
    freezeKey(makeKey({ id: "key_1", lineageId: "lin_1", version: 1, createdAt: T0 })),
  ];
  /** In creation order. */
  readonly rotations: Rotation[] = [];
  /** Sunsets announced by request-rotation, by key id: the model's record, not core's. */
  readonly requestedSunsets = new Map<string, number>();
  #nextId = 2;

  get now(): number {
    return this.clock.now();
  }

  validity(key: KeyRecord, at = this.now) {
    return decideKeyValidity(key, at);
  }

  validKeys(at = this.now): KeyRecord[] {
    return this.keys.filter((k) => decideKeyValidity(k, at).type === "valid");
  }

  key(id: string): KeyRecord {
    const key = this.keys.find((k) => k.id === id);
    if (!key) throw new Error(`harness: no key ${id}`);
    return key;
  }

  head(): KeyRecord {
    const active = this.keys.find((k) => k.status === "active");
    if (active) return active;
    const newest = this.keys.at(-1);
    if (!newest) throw new Error("harness: empty lineage");
    return newest;
  }

  latestOpenRotation(): Rotation | undefined {
    return this.rotations.findLast((r) => r.state === "overlapping");
  }

  /** Every stored record, for comparing before and after a rejected command. */
  snapshot(): string {
    return JSON.stringify({ keys: this.keys, rotations: this.rotations });
  }

  /**
   * The moments in `(from, to]` at which some key's validity can change
   * (sunsets and expiries), plus `to`: between them nothing changes.
   */
  boundaries(from: number, to: number): number[] {
    const moments = new Set<number>([to]);
    for (const key of this.keys) {
      for (const at of [key.sunsetAt, key.expiresAt])
        if (at !== null && at > from && at <= to) moments.add(at);
    }
    return [...moments].sort((a, b) => a - b);
  }

  apply(command: LineageCommand): CommandOutcome {
    switch (command.type) {
      case "rotate":
        return this.#rotate(command);
      case "rollback":
        return this.#rollback(command.target);
      case "complete":
        return this.#complete(command.target);
      case "revoke":
        return this.#revoke(command.target);
      case "requestRotation":
        return this.#requestRotation(command.target, command.sunsetOffsetSeconds);
      case "useKey":
        return this.#useKey(command.which);
      case "advanceClock":
        this.clock.advanceSeconds(command.seconds);
        return APPLIED;
      case "runRetirementJob":
        return this.#runRetirementJob();
    }
  }

  #pickKey(target: KeyTarget): KeyRecord {
    if (target === "head") return this.head();
    const key = this.keys[target % this.keys.length];
    if (!key) throw new Error("harness: empty lineage");
    return key;
  }

  #pickRotation(target: RotationTarget): Rotation | undefined {
    if (target === "latestOpen") return this.latestOpenRotation();
    return this.rotations.length === 0 ? undefined : this.rotations[target % this.rotations.length];
  }

  #putKey(key: KeyRecord): void {
    const index = this.keys.findIndex((k) => k.id === key.id);
    const frozen = freezeKey(key);
    if (index === -1) this.keys.push(frozen);
    else this.keys[index] = frozen;
  }

  #putRotation(rotation: Rotation): void {
    const index = this.rotations.findIndex((r) => r.id === rotation.id);
    const frozen = Object.freeze(rotation);
    if (index === -1) this.rotations.push(frozen);
    else this.rotations[index] = frozen;
  }

  #rotate(command: Extract<LineageCommand, { type: "rotate" }>): CommandOutcome {
    const old = this.#pickKey(command.target);
    const n = this.#nextId++;
    const decision = planRotation({
      old,
      consumer: this.consumer,
      options: {
        overlapSeconds: command.overlapSeconds,
        retire: command.retire,
        idleSeconds: command.idleSeconds,
      },
      now: this.now,
      lineageMaxVersion: Math.max(...this.keys.map((k) => k.version)),
      successor: { id: `key_${n}`, hash: n.toString(16).padStart(64, "0"), hint: `kg_live_${n}…` },
      rotationId: `rot_${n}`,
    });
    if (decision.type === "reject") return rejected(decision.detail);
    this.#putKey(decision.oldKey);
    this.#putKey(decision.newKey);
    this.#putRotation(decision.rotation);
    return { applied: true, emergency: decision.emergency, newKeyId: decision.newKey.id };
  }

  #rollback(target: RotationTarget): CommandOutcome {
    const rotation = this.#pickRotation(target);
    if (!rotation) return rejected("no rotation");
    const decision = planRollback(
      rotation,
      this.key(rotation.oldKeyId),
      this.key(rotation.newKeyId),
      this.now,
    );
    if (decision.type === "reject") return rejected(decision.detail);
    this.#putKey(decision.oldKey);
    this.#putKey(decision.newKey);
    this.#putRotation(decision.rotation);
    return APPLIED;
  }

  #complete(target: RotationTarget): CommandOutcome {
    const rotation = this.#pickRotation(target);
    if (!rotation) return rejected("no rotation");
    const decision = planCompletion(rotation, this.key(rotation.oldKeyId), this.now, "manual");
    if (decision.type === "reject") return rejected(decision.detail);
    this.#putKey(decision.oldKey);
    this.#putRotation(decision.rotation);
    return APPLIED;
  }

  /** Like the revoke service: revoking the old key of an open rotation completes it (`manual`). */
  #revoke(target: KeyTarget): CommandOutcome {
    const key = this.#pickKey(target);
    const decision = planRevocation(key, "manual", this.now);
    if (decision.type === "reject") return rejected(decision.detail);
    // A key can be the new key of one open rotation and the old key of another:
    // it is the rotation in which it is the OLD key that must complete.
    const open = this.rotations.find((r) => r.state === "overlapping" && r.oldKeyId === key.id);
    const completion = open ? planCompletion(open, decision.key, this.now, "manual") : undefined;
    this.#putKey(decision.key);
    if (completion?.type === "complete") this.#putRotation(completion.rotation);
    return APPLIED;
  }

  #requestRotation(target: KeyTarget, sunsetOffsetSeconds: number): CommandOutcome {
    const key = this.#pickKey(target);
    const sunsetAt = this.now + sunsetOffsetSeconds * 1000;
    const decision = planDue(key, this.now, sunsetAt, this.now);
    if (decision.type === "reject") return rejected(decision.detail);
    this.#putKey(decision.key);
    this.requestedSunsets.set(key.id, sunsetAt);
    return APPLIED;
  }

  /** A request through the gateway: only a valid key gets through and has its use recorded. */
  #useKey(which: "old" | "new"): CommandOutcome {
    const open = this.latestOpenRotation();
    const key = open ? this.key(which === "old" ? open.oldKeyId : open.newKeyId) : this.head();
    if (decideKeyValidity(key, this.now).type !== "valid") return rejected(`key ${key.id} is not valid`);
    this.#putKey({ ...key, lastUsedAt: this.now });
    return APPLIED;
  }

  /** What the retirement job does on each tick: decide, then complete what is due. */
  #runRetirementJob(): CommandOutcome {
    for (const rotation of this.rotations.filter((r) => r.state === "overlapping")) {
      const oldKey = this.key(rotation.oldKeyId);
      const decision = decideRetirement(rotation, oldKey, this.key(rotation.newKeyId), this.now);
      if (decision.type === "keep") continue;
      const completion = planCompletion(rotation, oldKey, this.now, decision.reason);
      if (completion.type === "reject") throw new Error(`job: ${completion.detail}`);
      this.#putKey(completion.oldKey);
      this.#putRotation(completion.rotation);
    }
    return APPLIED;
  }
}
