import type { Actor, Consumer, Metadata, RotationPolicy } from "@keygate/core";
import { KeygateError, newId } from "@keygate/core";
import { auditEntry, commitOrConflict, notFound, publishChange, type ServiceDeps } from "./service-deps.ts";

export interface ConsumerInput {
  readonly name: string;
  /** Already normalised (trimmed, lower-case); unique across consumers. */
  readonly email?: string | null | undefined;
  readonly plan?: string | null | undefined;
  readonly metadata?: Metadata | undefined;
  readonly rotationPolicy?: RotationPolicy | null | undefined;
}

export interface ConsumerPatch {
  readonly name?: string | undefined;
  readonly email?: string | null | undefined;
  readonly plan?: string | null | undefined;
  readonly metadata?: Metadata | undefined;
  readonly disabled?: boolean | undefined;
  readonly rotationPolicy?: RotationPolicy | null | undefined;
}

/** A clear 409 before the unique index would answer a bare conflict. */
async function assertEmailFree(
  deps: ServiceDeps,
  email: string | null | undefined,
  self?: string,
): Promise<void> {
  if (email === null || email === undefined) return;
  const owner = await deps.store.findConsumerByEmail(email);
  if (owner !== null && owner.id !== self) {
    throw new KeygateError("CONFLICT", "another consumer already has this email address", [
      { path: "/body/email", message: "is taken by another consumer" },
    ]);
  }
}

async function assertPlanExists(deps: ServiceDeps, plan: string | null | undefined): Promise<void> {
  if (plan === null || plan === undefined) return;
  if (!(await deps.store.getPlan(plan))) {
    throw new KeygateError("VALIDATION_FAILED", `plan ${plan} does not exist`, [
      { path: "/plan", message: `unknown plan "${plan}"; create it with PUT /v1/plans/${plan}` },
    ]);
  }
}

export async function createConsumer(
  deps: ServiceDeps,
  actor: Actor,
  input: ConsumerInput,
): Promise<Consumer> {
  await assertPlanExists(deps, input.plan);
  await assertEmailFree(deps, input.email);
  const now = deps.clock.now();
  const consumer: Consumer = {
    id: newId("con", now, deps.random),
    name: input.name,
    email: input.email ?? null,
    plan: input.plan ?? null,
    metadata: input.metadata ?? {},
    disabled: false,
    rotationPolicy: input.rotationPolicy ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "insertConsumer", consumer }],
      audit: [
        auditEntry(now, actor, "consumer.create", "consumer", consumer.id, {
          name: consumer.name,
          plan: consumer.plan,
        }),
      ],
      events: [],
    },
    "consumer creation",
  );
  return consumer;
}

export async function getConsumerOrThrow(deps: ServiceDeps, id: string): Promise<Consumer> {
  const consumer = await deps.store.getConsumer(id);
  if (!consumer) throw notFound("consumer", id);
  return consumer;
}

/** Updates a consumer. Disabling it or changing its plan invalidates its keys' cached answers everywhere. */
export async function updateConsumer(deps: ServiceDeps, actor: Actor, id: string, patch: ConsumerPatch) {
  const current = await getConsumerOrThrow(deps, id);
  await assertPlanExists(deps, patch.plan);
  await assertEmailFree(deps, patch.email, id);
  const now = deps.clock.now();
  const next: Consumer = {
    ...current,
    name: patch.name ?? current.name,
    email: patch.email === undefined ? current.email : patch.email,
    plan: patch.plan === undefined ? current.plan : patch.plan,
    metadata: patch.metadata ?? current.metadata,
    disabled: patch.disabled ?? current.disabled,
    rotationPolicy: patch.rotationPolicy === undefined ? current.rotationPolicy : patch.rotationPolicy,
    updatedAt: now,
  };
  const changed = Object.keys(patch).filter((k) => patch[k as keyof ConsumerPatch] !== undefined);
  await commitOrConflict(
    deps,
    {
      writes: [
        { type: "updateConsumer", consumer: next },
        // A disabled consumer's portal sessions end in the same transaction: not one more request.
        ...(next.disabled && !current.disabled
          ? [{ type: "endPortalSessions" as const, consumerId: id, endedAt: now }]
          : []),
      ],
      audit: [
        auditEntry(now, actor, "consumer.update", "consumer", id, {
          changed,
          disabled: next.disabled,
          plan: next.plan,
        }),
      ],
      events: [],
    },
    "consumer update",
  );
  const change = await publishChange(deps, { consumerIds: [id] });
  return { consumer: next, change };
}
