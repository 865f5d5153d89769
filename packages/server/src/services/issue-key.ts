import type { Actor, KeyEnv, KeyRecord, Metadata } from "@keygate/core";
import { generateKeySecret, KeygateError, keyHint, newId } from "@keygate/core";
import { getConsumerOrThrow } from "./consumers.ts";
import { keySummary } from "./key-events.ts";
import { auditEntry, commitOrConflict, eventId, publishChange, type ServiceDeps } from "./service-deps.ts";

export interface IssueKeyInput {
  readonly name: string;
  readonly scopes?: readonly string[] | undefined;
  readonly env?: KeyEnv | undefined;
  readonly expiresAt?: number | null | undefined;
  readonly metadata?: Metadata | undefined;
  /** CIDRs the key may be used from (already validated and normalised); null or absent: anywhere. */
  readonly allowedIps?: readonly string[] | null | undefined;
  /** `operator:<name>` or `consumer`; default `operator`. */
  readonly createdBy?: string | undefined;
}

/** A freshly made secret with its stored identity. The secret leaves this process exactly once, in the response. */
export interface MintedSecret {
  readonly secret: string;
  readonly hash: string;
  readonly hint: string;
}

export function mintSecret(deps: Pick<ServiceDeps, "random" | "hasher">, env: KeyEnv): MintedSecret {
  const secret = generateKeySecret(deps.random, env);
  return { secret, hash: deps.hasher.sha256Hex(secret), hint: keyHint(secret) };
}

/** The record of the first key (version 1, active) of a new lineage, for a minted secret. */
export function firstKeyRecord(
  deps: Pick<ServiceDeps, "random">,
  consumerId: string,
  minted: MintedSecret,
  input: IssueKeyInput,
  now: number,
): KeyRecord {
  return {
    id: newId("key", now, deps.random),
    consumerId,
    name: input.name,
    scopes: [...new Set(input.scopes ?? [])],
    env: input.env ?? "live",
    lineageId: newId("lin", now, deps.random),
    version: 1,
    status: "active",
    hash: minted.hash,
    hint: minted.hint,
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
    deprecatedAt: null,
    sunsetAt: null,
    revokedAt: null,
    revokedReason: null,
    lastUsedAt: null,
    metadata: input.metadata ?? {},
    createdBy: input.createdBy ?? "operator",
    allowedIps: input.allowedIps ?? null,
    revision: 0,
  };
}

/** Issues the first key of a new lineage (version 1). */
export async function issueKey(deps: ServiceDeps, actor: Actor, consumerId: string, input: IssueKeyInput) {
  const consumer = await getConsumerOrThrow(deps, consumerId);
  const now = deps.clock.now();
  if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= now) {
    throw new KeygateError("VALIDATION_FAILED", "expiresAt must lie in the future", [
      { path: "/expiresAt", message: "must lie in the future" },
    ]);
  }
  const minted = mintSecret(deps, input.env ?? "live");
  const key = firstKeyRecord(deps, consumer.id, minted, input, now);
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "insertKey", key }],
      audit: [
        auditEntry(now, actor, "key.create", "key", key.id, { ...keySummary(key), scopes: key.scopes }),
      ],
      events: [{ id: eventId(deps, now), type: "key.created", at: now, data: keySummary(key) }],
    },
    "key creation",
  );
  const change = await publishChange(deps, { hashes: [key.hash] });
  return { key, secret: minted.secret, change };
}
