import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The dashboard session cookie. Behind https it is `__Host-` prefixed (the
 * browser then insists on `Secure`, `Path=/` and no `Domain`, so a sibling
 * subdomain cannot plant or shadow it).
 */
export function operatorCookieName(secure: boolean): string {
  return secure ? "__Host-keygate_admin" : "keygate_admin";
}

/**
 * `Set-Cookie` for a dashboard session: `HttpOnly` (no script reads it),
 * `SameSite=Strict`, `Path=/`, until the session ends.
 *
 * Strict works with the provider's redirect because nothing on the
 * redirected navigation needs the cookie: the callback *sets* it (a
 * response to a cross-site navigation may set a Strict cookie), then sends
 * the browser to `/`, which is the dashboard's static page. The page's own
 * API calls are same-site fetches, which carry Strict cookies. Lax would
 * add cookie-carrying cross-site top-level GETs for nothing.
 */
export function operatorSessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${operatorCookieName(secure)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

/** `Set-Cookie` that makes the browser forget the session cookie. */
export function clearedOperatorSessionCookie(secure: boolean): string {
  return operatorSessionCookie("", 0, secure);
}

/** The value of cookie `name` in a `Cookie` header, if any (the first one wins). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** What the callback must match: kept in the browser between `/auth/login` and `/auth/callback`. */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Epoch ms after which the callback is refused. */
  readonly expiresAt: number;
}

/**
 * The pending sign-in's cookie: `__Host-` prefixed behind https (so a
 * sibling subdomain cannot toss in its own pending sign-in and log the
 * victim in as the attacker; the prefix requires `Path=/`), `SameSite=Lax` because the provider's redirect back
 * is a cross-site top-level GET (Strict would withhold it there, and every
 * sign-in would fail), and HMAC-signed with a key only the keygate nodes
 * hold, so any node can finish a sign-in another started and nobody can
 * forge or alter one. It holds no credential: the PKCE verifier is useless
 * without the one-time code, which only the provider's redirect carries.
 */
export class PendingSignInCookie {
  readonly #key: Buffer;
  readonly #secure: boolean;

  /** `secret` keys the HMAC (the OIDC client secret, which every node has). */
  constructor(secret: string, secure: boolean) {
    // A derived key, so the MAC never doubles as anything the provider computes with the secret.
    this.#key = createHmac("sha256", secret).update("keygate sign-in state v1").digest();
    this.#secure = secure;
  }

  get name(): string {
    return this.#secure ? "__Host-keygate_sso" : "keygate_sso";
  }

  /** `Set-Cookie` carrying `pending` for `maxAgeSeconds`. */
  serialize(pending: PendingSignIn, maxAgeSeconds: number): string {
    const payload = Buffer.from(JSON.stringify(pending)).toString("base64url");
    return this.#cookie(`${payload}.${this.#mac(payload)}`, maxAgeSeconds);
  }

  /** `Set-Cookie` that forgets the pending sign-in. */
  cleared(): string {
    return this.#cookie("", 0);
  }

  /** The pending sign-in in a `Cookie` header, or null when absent, altered or malformed. */
  read(header: string | undefined): PendingSignIn | null {
    const value = readCookie(header, this.name);
    if (value === undefined) return null;
    const dot = value.indexOf(".");
    if (dot < 0) return null;
    const payload = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#mac(payload));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      return isPending(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }

  #cookie(value: string, maxAgeSeconds: number): string {
    return `${this.name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${this.#secure ? "; Secure" : ""}`;
  }
}

function isPending(value: unknown): value is PendingSignIn {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.state === "string" &&
    typeof v.nonce === "string" &&
    typeof v.codeVerifier === "string" &&
    typeof v.expiresAt === "number"
  );
}
