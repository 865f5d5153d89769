import type { IncomingHttpHeaders } from "node:http";
import type { Actor, AdminRole, ErrorCode, OperatorSession } from "@keygate/core";
import { errorCatalogue, isErrorCode, KeygateError } from "@keygate/core";
import type { AdminAuthenticator } from "./admin-auth.ts";
import { roleAllows } from "./admin-roles.ts";
import { consumerCredential } from "./credentials.ts";
import type { KeyVerifyFunction, VerifyOutcome } from "./key-verifier.ts";
import type { Access } from "./route-kit.ts";
import { checkOperatorCsrf } from "./sso/operator-csrf.ts";

/** Who is calling, once a route's access rule has been checked. */
export interface Principal {
  readonly actor: Actor;
  /** The operator's role on role routes (token or session); undefined on `public` and `consumer` routes. */
  readonly role?: AdminRole | undefined;
  /** Set on `consumer` routes only. */
  readonly consumer: VerifyOutcome | undefined;
  /** The dashboard session's CSRF token, when the caller is signed in by SSO (a cookie); `GET /v1/me` hands it out. */
  readonly csrfToken?: string | undefined;
}

const ANONYMOUS: Principal = { actor: { type: "system", id: "anonymous" }, consumer: undefined };

/** Secret-free explanations of a refused consumer key; the code carries the meaning. */
const KEY_FAILURE_DETAIL: Partial<Record<ErrorCode, string>> = {
  KEY_MISSING: "send your key in x-api-key or Authorization: Bearer",
  KEY_MALFORMED: "the key does not have the shape of a keygate key",
  KEY_NOT_FOUND: "no such key",
  KEY_EXPIRED: "the key has expired; use its successor",
  KEY_REVOKED: "the key has been revoked",
  CONSUMER_DISABLED: "the key's consumer is disabled",
  IP_NOT_ALLOWED: "the key may not be used from this address (see its allowed IPs)",
  SCOPE_DENIED: "the key lacks a required scope",
  RATE_LIMITED: "rate limit exceeded; retry later",
  QUOTA_EXCEEDED: "quota exceeded",
  STORE_UNAVAILABLE: "cannot verify the key right now; retry later",
};

export interface RequestAuthDeps {
  readonly authenticator: AdminAuthenticator;
  readonly verify: KeyVerifyFunction;
  /** Dashboard sessions (single sign-on); absent: only admin tokens authenticate operators. */
  readonly operatorSessions?: OperatorSessionAuth | undefined;
}

/** How a dashboard session cookie is found and checked. */
export interface OperatorSessionAuth {
  /** The cookie's token in the request, if any. */
  token(headers: IncomingHttpHeaders): string | undefined;
  /** The live session behind a token (read from the store each time); throws `UNAUTHENTICATED`. */
  find(token: string): Promise<OperatorSession>;
  /** The audit actor of the session's person. */
  actor(session: OperatorSession): Actor;
}

/**
 * Applies a route's access rule. Throws the catalogued refusal:
 * `UNAUTHENTICATED` (401) for a missing, unknown, expired or revoked admin
 * token, `FORBIDDEN` (403) for a role below the route's (`roleAllows`), and
 * the verifier's own code (401/403/429/503) for a consumer key that does not verify.
 *
 * An operator is an admin token (`Authorization: Bearer`, automation) or,
 * without one, a dashboard session cookie: authenticated like a token of the
 * session's role, and every `method` other than GET needs the session's CSRF
 * token (`CSRF_FAILED`, 403): a browser sends the cookie on its own, so the
 * cookie alone must never change anything.
 */
export async function authenticateRequest(
  access: Access,
  headers: IncomingHttpHeaders,
  deps: RequestAuthDeps,
  clientIp?: string,
  method = "GET",
): Promise<Principal> {
  switch (access) {
    case "public":
      return ANONYMOUS;
    case "viewer":
    case "operator":
    case "admin":
    case "verifier": {
      const sessions = deps.operatorSessions;
      const cookie = headers.authorization === undefined ? sessions?.token(headers) : undefined;
      if (sessions !== undefined && cookie !== undefined) {
        const session = await sessions.find(cookie);
        if (!roleAllows(session.role, access)) {
          throw new KeygateError(
            "FORBIDDEN",
            `your dashboard role (${session.role}) may not call this route; it needs ${access}`,
          );
        }
        if (method !== "GET" && method !== "HEAD") checkOperatorCsrf(headers, session.csrfToken);
        return {
          actor: sessions.actor(session),
          role: session.role,
          consumer: undefined,
          csrfToken: session.csrfToken,
        };
      }
      const token = await deps.authenticator.authenticate(headers.authorization);
      if (!roleAllows(token.role, access)) {
        throw new KeygateError(
          "FORBIDDEN",
          `this admin token's role (${token.role}) may not call this route; it needs ${access}`,
        );
      }
      return {
        actor: { type: "admin", id: token.id, name: token.name },
        role: token.role,
        consumer: undefined,
      };
    }
    case "consumer": {
      const credential = consumerCredential(headers);
      if (credential.type === "ambiguous") {
        throw new KeygateError("KEY_MALFORMED", "x-api-key and Authorization carry different keys; send one");
      }
      const outcome = await deps.verify(
        credential.type === "secret" ? credential.secret : undefined,
        [],
        clientIp,
      );
      if (!outcome.valid || outcome.keyId === undefined) {
        const code: ErrorCode =
          outcome.code !== "VALID" && isErrorCode(outcome.code) ? outcome.code : "UNAUTHENTICATED";
        throw new KeygateError(code, KEY_FAILURE_DETAIL[code] ?? errorCatalogue[code].title);
      }
      return { actor: { type: "consumer", id: outcome.keyId }, consumer: outcome };
    }
  }
}
