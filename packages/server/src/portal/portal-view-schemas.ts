import { z } from "zod";

const isoTime = z.iso.datetime();
const nullableTime = isoTime.nullable();

/** A key as its consumer sees it: never a hash or a secret, plus its traffic and open rotation. */
export const portalKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  env: z.enum(["live", "test"]),
  status: z.enum(["active", "deprecated", "expired", "revoked"]),
  hint: z.string(),
  version: z.int(),
  lineageId: z.string(),
  createdAt: isoTime,
  expiresAt: nullableTime,
  deprecatedAt: nullableTime,
  sunsetAt: nullableTime,
  revokedAt: nullableTime,
  revokedReason: z.string().nullable(),
  lastUsedAt: nullableTime,
  createdBy: z.string(),
  allowedIps: z.array(z.string()).nullable(),
  requests24h: z.int(),
  openRotation: z
    .strictObject({
      id: z.string(),
      role: z.enum(["old", "new"]),
      sunsetAt: isoTime,
      state: z.literal("overlapping"),
    })
    .nullable(),
});

const trafficSideSchema = z.strictObject({
  keyId: z.string(),
  lastUsedAt: nullableTime,
  requestsLast15m: z.int(),
  perMinute: z.array(z.strictObject({ at: isoTime, total: z.int() })),
});

export const portalRotationSchema = z.strictObject({
  id: z.string(),
  lineageId: z.string(),
  oldKeyId: z.string(),
  newKeyId: z.string(),
  startedAt: isoTime,
  sunsetAt: isoTime,
  state: z.enum(["overlapping", "completed", "rolled_back"]),
  completedAt: nullableTime,
  completedReason: z.string().nullable(),
  traffic: z.strictObject({
    old: trafficSideSchema,
    new: trafficSideSchema,
    progress: z.number().nullable(),
  }),
});

export const rateLimitStateSchema = z.strictObject({ limit: z.int(), remaining: z.int(), resetAt: isoTime });
export const quotaStateSchema = z.strictObject({
  limit: z.int(),
  used: z.int(),
  remaining: z.int(),
  period: z.enum(["day", "month"]),
  resetAt: isoTime,
});

export const seriesSchema = z.array(
  z.strictObject({ at: isoTime, total: z.int(), outcomes: z.record(z.string(), z.int()) }),
);

export const brandingSchema = z.strictObject({
  title: z.string(),
  logoUrl: z.string().nullable(),
  accentColor: z.string().nullable(),
  supportUrl: z.string().nullable(),
  mailSignIn: z.boolean(),
});

export const meSchema = z.strictObject({
  consumer: z.strictObject({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  plan: z
    .strictObject({
      name: z.string(),
      rateLimit: z.strictObject({ limit: z.int(), windowSeconds: z.int() }).nullable(),
      quota: z.strictObject({ limit: z.int(), period: z.enum(["day", "month"]) }).nullable(),
      scopes: z.array(z.string()),
    })
    .nullable(),
  /** Scopes the consumer may choose for a new key (the plan's, else every routed scope). */
  scopes: z.array(z.string()),
  usage: z.strictObject({ rateLimit: rateLimitStateSchema.nullable(), quota: quotaStateSchema.nullable() }),
  csrfToken: z.string(),
  /** Optional mail the consumer receives (kind → on); security mail always goes out. Empty without SMTP. */
  notifications: z.record(z.string(), z.boolean()),
  session: z.strictObject({ expiresAt: isoTime }),
  portal: z.strictObject({
    title: z.string(),
    gatewayUrl: z.string(),
    maxKeysPerConsumer: z.int(),
    maxOverlapSeconds: z.int(),
    supportUrl: z.string().nullable(),
  }),
});

export type PortalKeyView = z.infer<typeof portalKeySchema>;
export type PortalRotationView = z.infer<typeof portalRotationSchema>;
