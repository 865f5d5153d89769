import type { Actor, Consumer, KeyEnv, KeyRecord, Rotation, SelfServicePolicy } from "@keygate/core";
import {
  DEFAULT_OVERLAP_SECONDS,
  decideSelfServiceKey,
  decideSelfServiceOverlap,
  KeygateError,
  liveKeyCount,
  selfServiceScopes,
} from "@keygate/core";
import { issueKey } from "./issue-key.ts";
import { revokeKey } from "./revoke-key.ts";
import { rotateKey } from "./rotate-key.ts";
import { completeRotation, rollbackRotation } from "./rotations.ts";
import { notFound, type ServiceDeps } from "./service-deps.ts";
import { type KeyPatch, updateKey } from "./update-key.ts";

/**
 * What a consumer does to its own keys in the portal. Every function checks
 * ownership first — another consumer's key or rotation is "not found", never
 * "forbidden", so ids cannot be probed — then calls the same service the
 * admin API uses (one transaction, audit as `consumer:<id>`, events,
 * propagation).
 */

function actorOf(consumer: Consumer): Actor {
  return { type: "consumer", id: consumer.id };
}

function reject(decision: ReturnType<typeof decideSelfServiceKey>): void {
  if (decision.type === "reject") throw new KeygateError(decision.code, decision.detail, decision.errors);
}

/** The consumer's own key, or 404 as if it did not exist. */
export async function ownKey(deps: ServiceDeps, consumer: Consumer, keyId: string): Promise<KeyRecord> {
  const key = await deps.store.getKey(keyId);
  if (key === null || key.consumerId !== consumer.id) throw notFound("key", keyId);
  return key;
}

/** The consumer's own rotation, or 404 as if it did not exist. */
export async function ownRotation(
  deps: ServiceDeps,
  consumer: Consumer,
  rotationId: string,
): Promise<Rotation> {
  const rotation = await deps.store.getRotation(rotationId);
  if (rotation === null || rotation.consumerId !== consumer.id) throw notFound("rotation", rotationId);
  return rotation;
}

/** Every key of the consumer (at most 1,000 lineages' worth; a consumer holds few). */
export async function ownKeys(deps: ServiceDeps, consumer: Consumer): Promise<KeyRecord[]> {
  return deps.store.listKeys({ consumerId: consumer.id, limit: 1000 });
}

export interface OwnKeyInput {
  readonly name: string;
  readonly scopes?: readonly string[] | undefined;
  readonly env?: KeyEnv | undefined;
  readonly expiresAt?: number | null | undefined;
  readonly allowedIps?: readonly string[] | null | undefined;
}

export async function createOwnKey(
  deps: ServiceDeps,
  consumer: Consumer,
  input: OwnKeyInput,
  policy: SelfServicePolicy,
) {
  const plan = consumer.plan === null ? null : await deps.store.getPlan(consumer.plan);
  const keys = await ownKeys(deps, consumer);
  reject(
    decideSelfServiceKey({
      scopes: input.scopes ?? [],
      allowed: selfServiceScopes(plan, policy),
      live: liveKeyCount(keys, deps.clock.now()),
      policy,
    }),
  );
  return issueKey(deps, actorOf(consumer), consumer.id, { ...input, createdBy: "consumer" });
}

export async function rotateOwnKey(
  deps: ServiceDeps,
  consumer: Consumer,
  keyId: string,
  overlapSeconds: number | undefined,
  policy: SelfServicePolicy,
) {
  await ownKey(deps, consumer, keyId);
  const overlap =
    overlapSeconds ??
    Math.min(consumer.rotationPolicy?.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS, policy.maxOverlapSeconds);
  reject(decideSelfServiceOverlap(overlap, policy));
  return rotateKey(deps, actorOf(consumer), keyId, { overlapSeconds: overlap, retire: "deadline" });
}

export async function updateOwnKey(deps: ServiceDeps, consumer: Consumer, keyId: string, patch: KeyPatch) {
  await ownKey(deps, consumer, keyId);
  return updateKey(deps, actorOf(consumer), keyId, patch);
}

export async function revokeOwnKey(deps: ServiceDeps, consumer: Consumer, keyId: string, reason: string) {
  await ownKey(deps, consumer, keyId);
  return revokeKey(deps, actorOf(consumer), keyId, reason);
}

export async function completeOwnRotation(deps: ServiceDeps, consumer: Consumer, rotationId: string) {
  await ownRotation(deps, consumer, rotationId);
  return completeRotation(deps, actorOf(consumer), rotationId, "manual");
}

export async function rollbackOwnRotation(deps: ServiceDeps, consumer: Consumer, rotationId: string) {
  await ownRotation(deps, consumer, rotationId);
  return rollbackRotation(deps, actorOf(consumer), rotationId);
}
