import type { AdminRole, AdminToken } from "./model.ts";
import type { Page } from "./page.ts";

/**
 * An operator signed in to the dashboard through OpenID Connect. The cookie
 * holds a random token; only its SHA-256 is stored. The role is fixed at
 * sign-in (from the identity provider's claims) for the session's life.
 */
export interface OperatorSession {
  readonly id: string;
  /** Hex SHA-256 of the cookie's token. */
  readonly hash: string;
  /** The identity provider's `sub`. */
  readonly subject: string;
  /** The person's email: the audit actor's name. */
  readonly email: string;
  readonly role: AdminRole;
  /** Sent back in `x-keygate-csrf` on every mutation. Not a credential on its own. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set by logout. */
  readonly endedAt: number | null;
}

/** Operator-access changes, committed through `KeyStore.commit` with their audit entries. */
export type OperatorWrite =
  /**
   * Sets `revokedAt` if and only if the token exists and is not revoked yet;
   * otherwise the unit MUST conflict (so two revocations record one).
   */
  | { readonly type: "revokeAdminToken"; readonly id: string; readonly revokedAt: number }
  /** MUST conflict if the id or hash exists. */
  | { readonly type: "insertOperatorSession"; readonly session: OperatorSession }
  /** Ends the session if it is open; ending an ended or unknown session is not a conflict. */
  | { readonly type: "endOperatorSession"; readonly id: string; readonly endedAt: number };

/** One admin token's last use, as batched by the authenticator. */
export interface AdminTokenTouch {
  readonly id: string;
  readonly lastUsedAt: number;
}

/**
 * Admin tokens and dashboard sessions beyond the verification read
 * (`KeyStore.findAdminTokenByHash`). Implemented by every `KeyStore` backend.
 */
export interface OperatorStore {
  getAdminToken(id: string): Promise<AdminToken | null>;
  /** Ordered by id ascending (ids grow with time), revoked ones included. */
  listAdminTokens(page: Page): Promise<AdminToken[]>;
  /**
   * Records last use off the hot path. MUST only move `lastUsedAt` forward
   * (max of stored and given), so batches from several nodes in any order are harmless.
   */
  recordAdminTokenUsage(touches: readonly AdminTokenTouch[]): Promise<void>;
  findOperatorSession(hash: string): Promise<OperatorSession | null>;
}
