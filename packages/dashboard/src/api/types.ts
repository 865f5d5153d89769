/**
 * The admin API's answers as the dashboard reads them (DESIGN.md and
 * notes/api-additions.md). Times are ISO 8601 strings.
 */

export interface Page<T> {
  readonly data: readonly T[];
  readonly next: string | null;
}

export type KeyStatus = "active" | "deprecated" | "expired" | "revoked";

export interface KeyView {
  readonly id: string;
  readonly consumerId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly env: "live" | "test";
  readonly lineageId: string;
  readonly version: number;
  readonly status: KeyStatus;
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly deprecatedAt: string | null;
  readonly sunsetAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly lastUsedAt: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Addresses and CIDR ranges (canonical) the key may be used from; null: any address. */
  readonly allowedIps: readonly string[] | null;
  /** `consumer` (made in the portal) or `operator:<name>`. */
  readonly createdBy: string;
}

export interface RotationPolicy {
  readonly maxAgeDays: number | null;
  readonly overlapSeconds: number | null;
  readonly notifyBeforeDays: number | null;
}

export interface ConsumerView {
  readonly id: string;
  readonly name: string;
  /** Where consumer mail (and portal sign-in links) go; unique, case-insensitive. */
  readonly email: string | null;
  readonly plan: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly disabled: boolean;
  readonly rotationPolicy: RotationPolicy | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TrafficPoint {
  readonly at: string;
  readonly total: number;
}

export interface KeyTraffic {
  readonly keyId: string;
  readonly lastUsedAt: string | null;
  readonly requestsLast15m: number;
  readonly perMinute: readonly TrafficPoint[];
}

export type RotationState = "overlapping" | "completed" | "rolled_back";

export interface RotationView {
  readonly id: string;
  readonly lineageId: string;
  readonly consumerId: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  readonly startedAt: string;
  readonly sunsetAt: string;
  readonly retire: "deadline" | "idle";
  readonly idleSeconds: number;
  readonly state: RotationState;
  readonly completedAt: string | null;
  readonly completedReason: "deadline" | "idle" | "manual" | null;
  /** Present once usage analytics answer (api-additions.md). */
  readonly traffic?: {
    readonly old: KeyTraffic;
    readonly new: KeyTraffic;
    readonly progress: number | null;
  };
}

export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface Quota {
  readonly limit: number;
  readonly period: "day" | "month";
}

export interface PlanView {
  readonly name: string;
  readonly rateLimit: RateLimit | null;
  readonly quota: Quota | null;
  readonly updatedAt: string;
}

export interface AuditEntryView {
  readonly seq: number;
  readonly at: string;
  /** `name`: the admin token's name or the signed-in operator's email (entries since operator roles). */
  readonly actor: {
    readonly type: "admin" | "consumer" | "system";
    readonly id: string;
    readonly name?: string;
  };
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly problem: "edited" | "missing" | "reordered" | "broken_link";
    };

export interface Propagation {
  readonly changeId: string;
  readonly nodes: number;
  readonly acknowledged: number;
}

/** A one-time consumer portal sign-in link (`POST /v1/consumers/{id}/portal-links`). */
export interface PortalSignInLink {
  readonly url: string;
  readonly expiresAt: string;
}

export interface CreatedKey {
  readonly key: KeyView;
  readonly secret: string;
}

export interface RotatedKey {
  readonly rotation: RotationView;
  readonly key: KeyView;
  readonly secret: string;
  readonly oldKey: KeyView;
}

export interface StatsView {
  readonly keys: Readonly<Record<KeyStatus, number>>;
  readonly consumers: number;
  readonly rotationsInProgress: number;
  readonly requestsPerMinute: readonly {
    readonly at: string;
    readonly total: number;
    readonly valid: number;
    readonly failed: number;
  }[];
}

export interface ConsumerUsageView {
  readonly consumerId: string;
  readonly plan: {
    readonly name: string;
    readonly rateLimit: RateLimit | null;
    readonly quota: Quota | null;
  } | null;
  readonly rateLimit: { readonly limit: number; readonly remaining: number; readonly resetAt: string } | null;
  readonly quota: {
    readonly limit: number;
    readonly used: number;
    readonly period: "day" | "month";
    readonly resetAt: string;
  } | null;
}

export interface AlertView {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string | null;
  readonly createdAt: string;
  readonly disabled: boolean;
  readonly secretRotatedAt: string | null;
}

export interface CreatedWebhook {
  readonly webhook: WebhookView;
  readonly secret: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly status: "delivered" | "failed" | "pending";
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly at: string;
  readonly nextAttemptAt: string | null;
}

export interface NodeView {
  readonly id: string;
  readonly role: string;
  readonly host?: string;
  readonly pid?: number;
  readonly startedAt: string;
  readonly lastHeartbeatAt: string;
  readonly lastChangeId: string | null;
  readonly lastAckAt?: string | null;
  /** False while the node has lost the change bus (its cache is cleared and short-lived then). */
  readonly busConnected?: boolean;
}

/** One mail to a consumer and how its delivery went (`GET /v1/consumers/{id}/mail`); never its body. */
export interface MailView {
  readonly id: string;
  /** `key_created`, `rotation_due`, `quota_80`, `sign_in`… (docs/notifications.md). */
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
  /** `queued` with attempts and a lastError: a failed attempt, to be retried at nextAttemptAt. */
  readonly status: "queued" | "sent" | "failed";
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  /** The SMTP server's reply (or connection error) to the last failed attempt. */
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** A webhook subscribed to this receives every event. */
export const ALL_EVENTS = "*";

/** The webhook events of DESIGN.md, in its order. */
export const WEBHOOK_EVENTS = [
  "key.created",
  "key.rotated",
  "key.deprecated_in_use",
  "key.sunset_approaching",
  "key.expired",
  "key.revoked",
  "key.leaked",
  "key.rotation_due",
  "rotation.completed",
  "rotation.rolled_back",
  "auth.failure_spike",
] as const;
