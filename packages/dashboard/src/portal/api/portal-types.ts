/**
 * The consumer portal API's answers (`/portal/v1`, DESIGN.md "Consumer
 * portal"). Times are ISO 8601 strings.
 */

export type KeyStatus = "active" | "deprecated" | "expired" | "revoked";
export type KeyEnv = "live" | "test";

export interface Branding {
  readonly title: string;
  readonly logoUrl: string | null;
  /** A CSS colour; the portal derives readable shades from it. */
  readonly accentColor: string | null;
  readonly supportUrl: string | null;
  /** False when the server has no SMTP: sign-in links come from the provider only. */
  readonly mailSignIn: boolean;
}

export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface QuotaPolicy {
  readonly limit: number;
  readonly period: "day" | "month";
}

export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt: string;
}

export interface QuotaState {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  readonly period: "day" | "month";
  readonly resetAt: string;
}

export interface Me {
  readonly consumer: { readonly id: string; readonly name: string; readonly email: string | null };
  readonly plan: {
    readonly name: string;
    readonly rateLimit: RateLimitPolicy | null;
    readonly quota: QuotaPolicy | null;
    readonly scopes: readonly string[];
  } | null;
  /** The scopes a new key may carry, when the server says so (else the plan's). */
  readonly scopes?: readonly string[];
  readonly usage: { readonly rateLimit: RateLimitState | null; readonly quota: QuotaState | null };
  readonly csrfToken: string;
  /**
   * Optional mail kinds → whether this consumer receives them (security mail
   * is not listed: it always goes out). Empty when the provider has no mail.
   */
  readonly notifications: Readonly<Record<string, boolean>>;
  readonly session: { readonly expiresAt: string };
  readonly portal: {
    readonly title: string;
    readonly gatewayUrl: string;
    readonly maxKeysPerConsumer: number;
    readonly maxOverlapSeconds: number;
    readonly supportUrl: string | null;
  };
}

export interface PortalKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly env: KeyEnv;
  readonly status: KeyStatus;
  /** Prefix and last four characters, e.g. `kg_live_AbCd…wxyz`. */
  readonly hint: string;
  readonly version: number;
  readonly lineageId: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly deprecatedAt: string | null;
  readonly sunsetAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
  readonly lastUsedAt: string | null;
  /** `consumer`, or `operator:<name>` for keys the provider issued. */
  readonly createdBy: string;
  readonly allowedIps: readonly string[] | null;
  readonly requests24h: number;
  readonly openRotation: {
    readonly id: string;
    readonly role: "old" | "new";
    readonly sunsetAt: string;
    readonly state: "overlapping";
  } | null;
}

export interface TrafficSide {
  readonly keyId: string;
  readonly lastUsedAt: string | null;
  readonly requestsLast15m: number;
  readonly perMinute: readonly { readonly at: string; readonly total: number }[];
}

export interface PortalRotation {
  readonly id: string;
  readonly lineageId: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  readonly startedAt: string;
  readonly sunsetAt: string;
  readonly state: "overlapping" | "completed" | "rolled_back";
  readonly completedAt: string | null;
  readonly completedReason: string | null;
  readonly traffic: {
    readonly old: TrafficSide;
    readonly new: TrafficSide;
    readonly progress: number | null;
  };
}

export type Granularity = "minute" | "hour" | "day";

export interface UsagePoint {
  readonly at: string;
  readonly total: number;
  /** Requests by outcome code: VALID, RATE_LIMITED, QUOTA_EXCEEDED, SCOPE_DENIED, KEY_EXPIRED… */
  readonly outcomes: Readonly<Record<string, number>>;
}

export interface UsageSeries {
  readonly granularity: Granularity;
  readonly from: string;
  readonly to: string;
  readonly series: readonly UsagePoint[];
}

export interface ConsumerUsage extends UsageSeries {
  readonly rateLimit: RateLimitState | null;
  readonly quota: QuotaState | null;
}

export interface CreatedKey {
  readonly key: PortalKey;
  readonly secret: string;
}

export interface RotatedKey {
  readonly rotation: PortalRotation;
  /** The new key. */
  readonly key: PortalKey;
  readonly secret: string;
}
