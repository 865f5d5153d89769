import type { AdminRole } from "@keygate/core";
import * as oidc from "openid-client";
import { mapOidcRole, type OidcRoleMapping } from "./map-oidc-role.ts";
import type { PendingSignIn } from "./sso-cookies.ts";

/** Everything the dashboard's OpenID Connect sign-in needs (env `KEYGATE_OIDC_*` and file section `oidc`). */
export interface OidcSignInOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Absolute `…/auth/callback` URL registered at the provider. */
  readonly redirectUrl: string;
  readonly roleClaim: string;
  readonly roles: OidcRoleMapping;
  readonly scopes: readonly string[];
  /** How long a started sign-in may take at the provider. Default 10 minutes. */
  readonly pendingTtlMs?: number | undefined;
}

/** How a callback ended: a person with a role, or a refusal to show (never a stack trace). */
export type SignInOutcome =
  | { readonly type: "signed_in"; readonly subject: string; readonly email: string; readonly role: AdminRole }
  | {
      readonly type: "refused";
      /** 400: the request does not belong to a sign-in; 403: the provider's person may not sign in; 502: the provider failed. */
      readonly status: 400 | 403 | 502;
      readonly reason: string;
    };

function refused(status: 400 | 403 | 502, reason: string): SignInOutcome {
  return { type: "refused", status, reason };
}

/** Provider-side errors openid-client raises for a response that fails a check. */
function isResponseError(error: unknown): error is Error & { code?: unknown; error?: unknown } {
  return error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError;
}

/**
 * Authorization code + PKCE (S256) + state + nonce against one provider,
 * through openid-client. Discovery runs on first use and is retried after a
 * failure, so a node starts while its provider is down.
 */
export class OidcSignIn {
  readonly #options: OidcSignInOptions;
  #config: Promise<oidc.Configuration> | undefined;
  /** States already spent on this node (until they expire): a replayed callback never reaches the provider. */
  readonly #spent = new Map<string, number>();

  constructor(options: OidcSignInOptions) {
    this.#options = options;
  }

  /** Where to send the browser, and what the callback must match (kept in a signed cookie by the caller). */
  async start(now: number): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.#discover();
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      expiresAt: now + (this.#options.pendingTtlMs ?? 600_000),
    };
    const scopes = new Set(["openid", ...this.#options.scopes]);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#options.redirectUrl,
      scope: [...scopes].join(" "),
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Finishes a sign-in: `search` is the callback's query string, `pending`
   * what `start` returned (null when the cookie is missing or forged).
   * openid-client checks the state, the `iss` parameter, the code exchange
   * with the PKCE verifier, the ID token's signature, issuer, audience,
   * expiry and nonce; then the role is mapped.
   */
  async finish(search: string, pending: PendingSignIn | null, now: number): Promise<SignInOutcome> {
    const params = new URLSearchParams(search);
    if (pending === null)
      return refused(400, "This sign-in was not started in this browser, or took too long. Start again.");
    if (pending.expiresAt <= now) return refused(400, "This sign-in took too long. Start again.");
    if (params.get("state") !== pending.state)
      return refused(
        400,
        "The answer from the identity provider does not belong to this sign-in (state mismatch).",
      );
    this.#forgetExpired(now);
    if (this.#spent.has(pending.state)) return refused(400, "This sign-in was already used. Start again.");
    const providerError = params.get("error");
    if (providerError !== null)
      return refused(
        403,
        `The identity provider refused the sign-in: ${params.get("error_description") ?? providerError}.`,
      );
    this.#spent.set(pending.state, pending.expiresAt);
    let config: oidc.Configuration;
    try {
      config = await this.#discover();
    } catch {
      return refused(502, "The identity provider cannot be reached. Try again later.");
    }
    const callbackUrl = new URL(this.#options.redirectUrl);
    callbackUrl.search = params.toString();
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (idClaims === undefined) return refused(502, "The identity provider sent no ID token.");
      claims = { ...idClaims };
      // Many providers put email and groups in userinfo only (for the code flow): ask for what is missing.
      if (claims.email === undefined || claims[this.#options.roleClaim] === undefined) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (error) {
      if (isResponseError(error) || error instanceof oidc.ClientError)
        return refused(400, `The sign-in could not be verified (${describe(error)}). Start again.`);
      return refused(502, "The identity provider failed to complete the sign-in. Try again later.");
    }
    return this.#person(claims);
  }

  #person(claims: Record<string, unknown>): SignInOutcome {
    const subject = claims.sub;
    const email = claims.email;
    if (typeof subject !== "string" || subject === "")
      return refused(502, "The identity provider named no subject.");
    if (typeof email !== "string" || email === "")
      return refused(403, "The identity provider gave no email address (ask for the email scope).");
    // The email is what the audit shows: an address the provider has not verified could name anyone.
    if (claims.email_verified === false) return refused(403, `The email address ${email} is not verified.`);
    const role = mapOidcRole(claims, this.#options.roleClaim, this.#options.roles);
    if (role === null)
      return refused(
        403,
        `${email} is signed in at the identity provider but holds no dashboard role: none of its "${this.#options.roleClaim}" values is mapped in oidc.roles.`,
      );
    return { type: "signed_in", subject, email, role };
  }

  #discover(): Promise<oidc.Configuration> {
    if (this.#config === undefined) {
      const issuer = new URL(this.#options.issuer);
      // Plain http is accepted for a loopback provider only (config validation refuses any other).
      const insecure = issuer.protocol === "http:";
      this.#config = oidc
        .discovery(
          issuer,
          this.#options.clientId,
          undefined,
          oidc.ClientSecretBasic(this.#options.clientSecret),
          insecure ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
        )
        .catch((error: unknown) => {
          this.#config = undefined;
          throw error;
        });
    }
    return this.#config;
  }

  #forgetExpired(now: number): void {
    for (const [state, until] of this.#spent) if (until <= now) this.#spent.delete(state);
    // Bounded: past this many live sign-ins the oldest are forgotten (the provider still refuses a reused code).
    while (this.#spent.size > 10_000) {
      const oldest = this.#spent.keys().next();
      if (oldest.done === true) break;
      this.#spent.delete(oldest.value);
    }
  }
}

function describe(error: Error & { code?: unknown; error?: unknown }): string {
  if (typeof error.error === "string") return error.error;
  return typeof error.code === "string" ? error.code : error.message;
}
