import type { Consumer } from "./model.ts";
import type { Page } from "./page.ts";

/**
 * A one-time portal sign-in link. Only the SHA-256 of its token is stored;
 * the token itself lives in the link (and, until it is sent, in its mail).
 */
export interface PortalToken {
  readonly id: string;
  readonly consumerId: string;
  /** Hex SHA-256 of the token. */
  readonly hash: string;
  /** `handoff`: made by the provider (`POST /v1/consumers/{id}/portal-links`); `email`: a magic link. */
  readonly purpose: "handoff" | "email";
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set when the link was spent on a session; a spent link never works again. */
  readonly usedAt: number | null;
}

/** A consumer's signed-in browser. The cookie holds a random token; only its SHA-256 is stored. */
export interface PortalSession {
  readonly id: string;
  readonly consumerId: string;
  /** Hex SHA-256 of the cookie's token. */
  readonly hash: string;
  /** Sent back in `x-keygate-csrf` on every mutation. Not a credential on its own (the cookie is). */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set by logout, or when the consumer is disabled. */
  readonly endedAt: number | null;
}

/** Every kind of mail keygate sends to consumers. */
export type MailKind =
  | "sign_in"
  | "key_created"
  | "rotation_due"
  | "sunset_in_use"
  | "expired_in_use"
  | "key_revoked"
  | "key_leaked"
  | "quota_80"
  | "quota_100";

export type MailStatus = "queued" | "sent" | "failed";

/** A mail to write in the same transaction as its cause. */
export interface MailInput {
  readonly id: string;
  readonly consumerId: string;
  readonly kind: MailKind;
  readonly to: string;
  readonly subject: string;
  /** Plain text and HTML bodies, rendered when queued. A sign-in link's bodies are erased once sent. */
  readonly text: string;
  readonly html: string;
  readonly createdAt: number;
  /** A mail not sent by then is dropped as failed (a sign-in link that has expired); null: no limit. */
  readonly expiresAt: number | null;
  /**
   * At most one mail per dedupe key, ever: a second insert with the same key
   * is silently skipped (quota mails once per period, across nodes). Null: no dedupe.
   */
  readonly dedupeKey: string | null;
}

/** A mail as the store keeps it, with its delivery state. */
export interface MailMessage extends MailInput {
  readonly status: MailStatus;
  /** Attempts made so far (claims). */
  readonly attempts: number;
  /** When the next attempt is due (also the end of a claim's lease); null once sent or failed. */
  readonly nextAttemptAt: number | null;
  /** The SMTP reply or connection error of the last failed attempt (secret-free); null if none. */
  readonly lastError: string | null;
  readonly sentAt: number | null;
}

/** Portal changes, committed through `KeyStore.commit` with their audit entries. */
export type PortalWrite =
  /** MUST conflict if the id or hash exists. */
  | { readonly type: "insertPortalToken"; readonly token: PortalToken }
  /**
   * Spends a link: sets `usedAt` if and only if the link is unused and
   * `usedAt < expiresAt`; otherwise the unit MUST conflict (a link works once,
   * even when two browsers open it at the same moment).
   */
  | { readonly type: "redeemPortalToken"; readonly id: string; readonly usedAt: number }
  /** MUST conflict if the id or hash exists. */
  | { readonly type: "insertPortalSession"; readonly session: PortalSession }
  /**
   * Ends the consumer's open sessions (`sessionId`: just that one) at
   * `endedAt`. Ending nothing is not a conflict.
   */
  | {
      readonly type: "endPortalSessions";
      readonly consumerId: string;
      readonly sessionId?: string | undefined;
      readonly endedAt: number;
    }
  /** Queues a mail; with a `dedupeKey` already present it is skipped, and the unit still commits. */
  | { readonly type: "insertMail"; readonly mail: MailInput }
  /** Replaces the kinds of mail the consumer turned off (security mail cannot be turned off). */
  | { readonly type: "setMailOptOut"; readonly consumerId: string; readonly kinds: readonly MailKind[] };

export interface MailFilter extends Page {
  readonly consumerId?: string | undefined;
}

/** The outcome of one send attempt. */
export interface MailOutcome {
  readonly id: string;
  /** The `attempts` the mail was claimed with: a stale sender (lease lost) changes nothing. */
  readonly expectAttempts: number;
  readonly at: number;
  /** `sent`; `retry` at `nextAttemptAt`; `failed` for good. */
  readonly status: "sent" | "retry" | "failed";
  readonly nextAttemptAt: number | null;
  /** Secret-free; null when sent. */
  readonly error: string | null;
}

/**
 * Portal sign-in links, sessions and consumer mail. Implemented by every
 * `KeyStore` backend; writes go through `KeyStore.commit`.
 */
export interface PortalStore {
  /** The consumer with this (lower-case) email, if any. */
  findConsumerByEmail(email: string): Promise<Consumer | null>;
  findPortalToken(hash: string): Promise<PortalToken | null>;
  findPortalSession(hash: string): Promise<PortalSession | null>;
  /**
   * Claims up to `limit` queued mails due at `now`, ordered by id: each
   * claimed mail's attempts grow by one and its next attempt moves to
   * `now + leaseMs` in the same atomic step, so concurrent senders (other
   * nodes) MUST NOT receive the same mail until its lease runs out. A mail
   * whose sender died is claimed again once the lease has passed.
   */
  claimMail(now: number, limit: number, leaseMs: number): Promise<MailMessage[]>;
  /**
   * Records an attempt's outcome if the mail's attempts still equal
   * `expectAttempts` (else nothing). Sent or failed sign-in mails lose their
   * bodies: the link inside must not outlive its delivery.
   */
  recordMailOutcome(outcome: MailOutcome): Promise<void>;
  /** Ordered by id ascending (ids grow with time), like every list. */
  listMail(filter: MailFilter): Promise<MailMessage[]>;
  /** The kinds each of these consumers turned off; consumers that turned nothing off are left out. */
  mailOptOuts(consumerIds: readonly string[]): Promise<Map<string, readonly MailKind[]>>;
}
