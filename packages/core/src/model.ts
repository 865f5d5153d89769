/**
 * Domain records. Every timestamp is milliseconds since the Unix epoch
 * (`number`), `null` when absent; the HTTP layer renders ISO 8601.
 */

export type KeyEnv = "live" | "test";
export type KeyStatus = "active" | "deprecated" | "expired" | "revoked";
export type RetirePolicy = "deadline" | "idle";
export type RotationState = "overlapping" | "completed" | "rolled_back";
export type CompletedReason = "deadline" | "idle" | "manual";
export type Metadata = Record<string, unknown>;

export interface RotationPolicy {
  /** A key older than this many days is due for rotation. */
  readonly maxAgeDays: number | null;
  /** Default overlap for rotations of this consumer's keys. */
  readonly overlapSeconds: number | null;
  /** How many days before it is due a key starts carrying `Deprecation`. */
  readonly notifyBeforeDays: number | null;
}

export interface Consumer {
  readonly id: string;
  readonly name: string;
  /** Where consumer mail goes (lower-case; unique across consumers); null: nothing is mailed. */
  readonly email: string | null;
  readonly plan: string | null;
  readonly metadata: Metadata;
  readonly disabled: boolean;
  readonly rotationPolicy: RotationPolicy | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface KeyRecord {
  readonly id: string;
  readonly consumerId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly env: KeyEnv;
  /** Stable across rotations: every successor shares its predecessor's lineage. */
  readonly lineageId: string;
  /** 1, 2, 3… within the lineage. */
  readonly version: number;
  readonly status: KeyStatus;
  /** Lower-case hex SHA-256 of the full secret. The secret itself is never stored. */
  readonly hash: string;
  /** Display hint: the secret's first 12 characters and its last 4 (`kg_live_AbCd…wxyz`). */
  readonly hint: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  /**
   * Set when the key is deprecated (rotated) or due for rotation. For a due key
   * it is the due date, which may lie in the future.
   */
  readonly deprecatedAt: number | null;
  /** The moment the key stops working, when one is set. */
  readonly sunsetAt: number | null;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
  readonly lastUsedAt: number | null;
  readonly metadata: Metadata;
  /** Who made the lineage's first key: `operator:<name>` or `consumer` (portal). Successors inherit it. */
  readonly createdBy: string;
  /** CIDRs (IPv4/IPv6) the key may be used from; null: anywhere. Successors inherit it. */
  readonly allowedIps: readonly string[] | null;
  /**
   * Optimistic-concurrency counter: every lifecycle update is applied only if
   * the stored revision still equals this one, and increments it.
   */
  readonly revision: number;
}

export interface Rotation {
  readonly id: string;
  readonly lineageId: string;
  readonly consumerId: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  readonly startedAt: number;
  readonly sunsetAt: number;
  readonly retire: RetirePolicy;
  /** Only meaningful for `retire: "idle"`. */
  readonly idleSeconds: number;
  readonly state: RotationState;
  readonly completedAt: number | null;
  readonly completedReason: CompletedReason | null;
}

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface Quota {
  readonly limit: number;
  readonly period: "day" | "month";
}

export interface Plan {
  readonly name: string;
  readonly rateLimit: RateLimit | null;
  readonly quota: Quota | null;
  /**
   * The scopes this plan's consumers may put on keys they create themselves
   * (portal); null: every scope the routes name.
   */
  readonly scopes: readonly string[] | null;
  readonly updatedAt: number;
}

/** Who made a change, as recorded in the audit log. Never a secret. */
export interface Actor {
  readonly type: "admin" | "consumer" | "system";
  /**
   * Admin token id (`adm_…`), single-sign-on subject (`sso:<issuer subject>`),
   * key id, or job name. Stable: audit queries group by it.
   */
  readonly id: string;
  /**
   * Who that is to a person reading the audit: the admin token's name, or the
   * signed-in operator's email. Absent on consumer and system actors and on
   * entries written before names were recorded.
   */
  readonly name?: string;
}

export interface AuditInput {
  readonly at: number;
  readonly actor: Actor;
  /** e.g. `key.rotate`, `consumer.create`. */
  readonly action: string;
  readonly targetType:
    | "plan"
    | "consumer"
    | "key"
    | "rotation"
    | "webhook"
    | "admin_token"
    | "portal_session"
    | "operator_session";
  readonly targetId: string;
  /** Safe, secret-free details of the change. */
  readonly data: Metadata;
}

export interface AuditEntry extends AuditInput {
  /** 1, 2, 3… gap-free in commit order. */
  readonly seq: number;
  /** Hex SHA-256 of the previous entry (64 zeros for the first). */
  readonly prevHash: string;
  /** Hex SHA-256 over this entry's canonical form, which includes `prevHash`. */
  readonly hash: string;
}

export type EventType =
  | "key.created"
  | "key.rotated"
  | "key.deprecated_in_use"
  | "key.sunset_approaching"
  | "key.expired"
  | "key.revoked"
  | "key.leaked"
  | "key.rotation_due"
  | "rotation.completed"
  | "rotation.rolled_back"
  | "auth.failure_spike"
  | "quota.threshold";

export interface OutboxEventInput {
  readonly id: string;
  readonly type: EventType;
  readonly at: number;
  /** Secret-free payload delivered to webhooks. */
  readonly data: Metadata;
}

/**
 * What an operator may do. `viewer` reads everything; `operator` also changes
 * consumers, keys, rotations, webhooks, leaks, portal links and mail state;
 * `admin` also changes plans and admin tokens. `verifier` is apart from that
 * ladder: it may only call `POST /v1/verify` (a provider's service).
 */
export type AdminRole = "viewer" | "operator" | "admin" | "verifier";

export interface AdminToken {
  readonly id: string;
  /** Unique among live tokens by convention (not enforced); the audit names the actor by it. */
  readonly name: string;
  /** Hex SHA-256 of the token. */
  readonly hash: string;
  readonly role: AdminRole;
  readonly createdAt: number;
  /** Refused from this moment on; null: never expires. */
  readonly expiresAt: number | null;
  /** Last authenticated use, recorded in batches off the hot path (may lag by a few seconds). */
  readonly lastUsedAt: number | null;
  /** Who issued it: `admin:<token name>`, `sso:<email>`, `system:bootstrap`; null for tokens older than roles. */
  readonly createdBy: string | null;
  readonly revokedAt: number | null;
}

/** Which events a webhook receives: event types, or `*` for every event. */
export type WebhookEventFilter = EventType | "*";

/** A registered webhook endpoint. Its signing secrets are kept apart (`WebhookSigningSecrets`). */
export interface Webhook {
  readonly id: string;
  /** http(s) URL; checked against the outbound-address policy at registration and at every send. */
  readonly url: string;
  readonly events: readonly WebhookEventFilter[];
  readonly description: string | null;
  readonly createdAt: number;
  readonly disabled: boolean;
  /** Set when deleted: the endpoint receives nothing more, its delivery log stays readable to the store. */
  readonly deletedAt: number | null;
  /** When the signing secret was last rotated; null if never. */
  readonly secretRotatedAt: number | null;
  /** Optimistic-concurrency counter, like `KeyRecord.revision`. */
  readonly revision: number;
}

/**
 * The HMAC secrets a webhook is signed with (`whsec_` + base64). Stored
 * because the dispatcher must sign with them; never part of a `Webhook`,
 * an audit entry, an event or a log line.
 */
export interface WebhookSigningSecrets {
  readonly current: string;
  /** The secret before the last rotation: deliveries carry its signature too until `previousExpiresAt`. */
  readonly previous: string | null;
  readonly previousExpiresAt: number | null;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** One event on its way to one webhook. `webhook-id` on the wire is `eventId`, stable across retries. */
export interface WebhookDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly status: DeliveryStatus;
  /** Attempts made so far, across redeliveries. */
  readonly attempts: number;
  /** Attempts since the delivery was (re)queued: the position in the retry schedule. */
  readonly roundAttempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  /** HTTP status of the last attempt, null if it got no answer. */
  readonly responseStatus: number | null;
  /** Why the last attempt failed (bounded, secret-free); null after a success. */
  readonly error: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

/** One HTTP attempt of a delivery, kept as the delivery log. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  /** 1, 2, 3… per delivery. */
  readonly attempt: number;
  readonly at: number;
  readonly durationMs: number;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly ok: boolean;
}

/** Who runs a named scheduled job, until when. */
export interface JobLease {
  readonly name: string;
  readonly holder: string;
  readonly expiresAt: number;
}
