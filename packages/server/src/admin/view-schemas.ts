import { errorCatalogue } from "@keygate/core";
import { z } from "zod";

/**
 * What the admin API answers, as zod schemas: `views.ts` builds values of
 * these types, the OpenAPI document is generated from them, and the tests
 * parse every successful response with them.
 */

const isoTime = z.iso.datetime();
const nullableTime = isoTime.nullable();
const json = z.record(z.string(), z.unknown());

export const keyViewSchema = z.strictObject({
  id: z.string(),
  consumerId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  env: z.enum(["live", "test"]),
  lineageId: z.string(),
  version: z.int(),
  /** Effective at the time of the answer: a deprecated key past its sunset reads `expired`. */
  status: z.enum(["active", "deprecated", "expired", "revoked"]),
  hint: z.string(),
  createdAt: isoTime,
  expiresAt: nullableTime,
  deprecatedAt: nullableTime,
  sunsetAt: nullableTime,
  revokedAt: nullableTime,
  revokedReason: z.string().nullable(),
  lastUsedAt: nullableTime,
  metadata: json,
  /** `operator:<name>` or `consumer` (made in the portal). */
  createdBy: z.string(),
  /** CIDRs the key may be used from; null: anywhere. */
  allowedIps: z.array(z.string()).nullable(),
});

export const rotationPolicyViewSchema = z.strictObject({
  maxAgeDays: z.number().nullable(),
  overlapSeconds: z.number().nullable(),
  notifyBeforeDays: z.number().nullable(),
});

export const consumerViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  plan: z.string().nullable(),
  metadata: json,
  disabled: z.boolean(),
  rotationPolicy: rotationPolicyViewSchema.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const rotationViewSchema = z.strictObject({
  id: z.string(),
  lineageId: z.string(),
  consumerId: z.string(),
  oldKeyId: z.string(),
  newKeyId: z.string(),
  startedAt: isoTime,
  sunsetAt: isoTime,
  retire: z.enum(["deadline", "idle"]),
  idleSeconds: z.number(),
  state: z.enum(["overlapping", "completed", "rolled_back"]),
  completedAt: nullableTime,
  completedReason: z.enum(["deadline", "idle", "manual"]).nullable(),
});

export const planViewSchema = z.strictObject({
  name: z.string(),
  rateLimit: z.strictObject({ limit: z.number(), windowSeconds: z.number() }).nullable(),
  quota: z.strictObject({ limit: z.number(), period: z.enum(["day", "month"]) }).nullable(),
  /** Scopes consumers on this plan may choose in the portal; null: every scope the routes name. */
  scopes: z.array(z.string()).nullable(),
  updatedAt: isoTime,
});

export const auditEntryViewSchema = z.strictObject({
  seq: z.int(),
  at: isoTime,
  /** `name`: the admin token's name or the signed-in operator's email (entries written since roles). */
  actor: z.strictObject({
    type: z.enum(["admin", "consumer", "system"]),
    id: z.string(),
    name: z.string().optional(),
  }),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  data: json,
  prevHash: z.string(),
  hash: z.string(),
});

export const propagationViewSchema = z.strictObject({
  changeId: z.string(),
  nodes: z.int(),
  acknowledged: z.int(),
});

/** A page of a list: `next` is the `after` cursor of the following page, null on the last one. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ data: z.array(item), next: z.string().nullable() });
}

const errorCodes = Object.keys(errorCatalogue) as [
  keyof typeof errorCatalogue,
  ...(keyof typeof errorCatalogue)[],
];

/** RFC 9457 problem details, as every error on the admin port is answered. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(errorCodes),
  instance: z.string(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});

export type KeyView = z.infer<typeof keyViewSchema>;
export type ConsumerView = z.infer<typeof consumerViewSchema>;
export type RotationView = z.infer<typeof rotationViewSchema>;
export type PlanView = z.infer<typeof planViewSchema>;
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;
export type PropagationView = z.infer<typeof propagationViewSchema>;
