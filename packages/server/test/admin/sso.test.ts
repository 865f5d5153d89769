import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/admin-app.ts";
import { startTestOidcProvider, type TestOidcProvider } from "../support/oidc-test-provider.ts";
import { createHarness, type Harness } from "./support/admin-harness.ts";
import { expectProblem } from "./support/declared.ts";

/**
 * Dashboard single sign-on against a real OpenID provider (`oidc-provider`
 * on loopback), the browser played by a cookie jar: code + PKCE, state and
 * nonce checked, roles mapped from the `groups` claim, the session cookie
 * authenticating like a token of that role, CSRF on every change, logout
 * on every node. Each attack (forged state, replayed callback, another
 * nonce, a change without the CSRF header) is refused.
 */
const REDIRECT = "http://127.0.0.1:7070/auth/callback";
const PEOPLE = [
  { login: "ada", email: "ada@example.com", groups: ["keygate-admins"] },
  { login: "otto", email: "otto@example.com", groups: ["staff", "keygate-operators"] },
  { login: "vera", email: "vera@example.com", groups: ["keygate-viewers"] },
  { login: "nobody", email: "nobody@example.com", groups: ["staff"] },
  { login: "unverified", email: "boss@example.com", groups: ["keygate-admins"], emailVerified: false },
];

/** Cookies of one site, as a browser keeps them (name → value; an emptied or expired one is dropped). */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }
}

function setCookiesOf(response: LightMyRequestResponse): string[] {
  const raw = response.headers["set-cookie"];
  return raw === undefined ? [] : [raw].flat();
}

/** Walks the provider's login and consent forms as `login`; returns the callback URL it redirects to. */
async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  for (let step = 0; step < 12; step++) {
    const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.take(response.headers.getSetCookie());
    const location = response.headers.get("location");
    if (location !== null) {
      const next = new URL(location, url).href;
      if (next.startsWith(REDIRECT)) return next;
      url = next;
      continue;
    }
    const page = await response.text();
    const prompt = /name="prompt" value="(login|consent)"/.exec(page)?.[1];
    if (prompt === undefined)
      throw new Error(`unexpected provider page (${response.status}): ${page.slice(0, 300)}`);
    const form = new URLSearchParams({ prompt, ...(prompt === "login" ? { login, password: "any" } : {}) });
    const posted = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    jar.take(posted.headers.getSetCookie());
    const after = posted.headers.get("location");
    if (after === null) throw new Error(`the provider did not redirect after ${prompt} (${posted.status})`);
    url = new URL(after, url).href;
  }
  throw new Error("too many steps at the provider");
}

describe("dashboard single sign-on (OpenID Connect, real provider)", () => {
  let provider: TestOidcProvider;
  let h: Harness;

  const ssoOptions = () => ({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUrl: REDIRECT,
    roleClaim: "groups",
    roles: { admin: ["keygate-admins"], operator: ["keygate-operators"], viewer: ["keygate-viewers"] },
    scopes: ["openid", "email", "groups"],
    sessionTtlMs: 8 * 3_600_000,
  });

  beforeAll(async () => {
    provider = await startTestOidcProvider([REDIRECT], PEOPLE);
    h = await createHarness({ sso: ssoOptions() });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await provider?.close();
  });

  /** `GET /auth/login` on `app`: the provider URL and the browser's cookies after it. */
  async function startLogin(app: FastifyInstance = h.app) {
    const response = await app.inject({ method: "GET", url: "/auth/login" });
    expect(response.statusCode).toBe(302);
    const jar = new CookieJar();
    jar.take(setCookiesOf(response));
    const location = response.headers.location;
    if (typeof location !== "string") throw new Error("no redirect");
    return { authorizationUrl: location, jar, setCookie: setCookiesOf(response) };
  }

  async function callback(app: FastifyInstance, callbackUrl: string, cookie: string) {
    const url = new URL(callbackUrl);
    return app.inject({ method: "GET", url: `${url.pathname}${url.search}`, headers: { cookie } });
  }

  /** A whole sign-in as `login`: the session cookie header and the CSRF token from GET /v1/me. */
  async function signIn(login: string) {
    const { authorizationUrl, jar } = await startLogin();
    const answer = await callback(h.app, await signInAtProvider(authorizationUrl, login), jar.header());
    expect(answer.statusCode, answer.body).toBe(302);
    expect(answer.headers.location).toBe("/");
    jar.take(setCookiesOf(answer));
    const session = jar.get("keygate_admin");
    if (session === undefined) throw new Error("no session cookie");
    const cookie = `keygate_admin=${session}`;
    const me = await h.call({ method: "GET", url: "/v1/me", token: null, headers: { cookie } });
    expect(me.statusCode, me.body).toBe(200);
    const body = JSON.parse(me.body) as {
      actor: { id: string; name: string };
      role: string;
      csrfToken: string;
    };
    return { cookie, me: body, setCookie: setCookiesOf(answer) };
  }

  it("says SSO is on, and sends the browser to the provider with PKCE (S256), state and nonce", async () => {
    const sso = await h.call({ method: "GET", url: "/auth/sso", token: null });
    expect(JSON.parse(sso.body)).toEqual({ enabled: true, loginUrl: "/auth/login" });
    const { authorizationUrl, setCookie } = await startLogin();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT);
    // The pending sign-in: HttpOnly, Lax so the provider's redirect back carries it.
    expect(setCookie.join("\n")).toMatch(
      /^keygate_sso=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/m,
    );
    // No verifier in the URL: only its challenge.
    expect(authorizationUrl).not.toContain("code_verifier");
  });

  it("signs a person in with the role of their group; the cookie is HttpOnly, Strict, whole-site", async () => {
    const { me, setCookie } = await signIn("otto");
    expect(me.role).toBe("operator");
    expect(me.actor).toEqual({ type: "admin", id: "sso:otto", name: "otto@example.com" });
    expect(me.csrfToken).toMatch(/^[0-9a-f]{64}$/);
    const session = setCookie.find((line) => line.startsWith("keygate_admin="));
    expect(session).toMatch(
      /^keygate_admin=kgo_[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    // The pending sign-in is forgotten once used.
    expect(setCookie.join("\n")).toMatch(/^keygate_sso=; .*Max-Age=0/m);
    // A token caller gets no CSRF token (none is needed without a cookie).
    const byToken = JSON.parse((await h.call({ method: "GET", url: "/v1/me" })).body) as Record<
      string,
      unknown
    >;
    expect(byToken.csrfToken).toBeUndefined();
  });

  it("maps the highest matching role; an operator cannot open admin tokens; a viewer cannot change anything", async () => {
    const admin = await signIn("ada");
    expect(admin.me.role).toBe("admin");
    const tokens = await h.call({
      method: "GET",
      url: "/v1/admin-tokens",
      token: null,
      headers: { cookie: admin.cookie },
    });
    expect(tokens.statusCode).toBe(200);

    const operator = await signIn("otto");
    expectProblem(
      await h.call({
        method: "GET",
        url: "/v1/admin-tokens",
        token: null,
        headers: { cookie: operator.cookie },
      }),
      403,
      "FORBIDDEN",
    );
    const viewer = await signIn("vera");
    expect(viewer.me.role).toBe("viewer");
    expect(
      (await h.call({ method: "GET", url: "/v1/consumers", token: null, headers: { cookie: viewer.cookie } }))
        .statusCode,
    ).toBe(200);
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        token: null,
        body: { name: "viewer-made" },
        headers: { cookie: viewer.cookie, "x-keygate-csrf": viewer.me.csrfToken },
      }),
      403,
      "FORBIDDEN",
    );
  });

  it("refuses a person none of whose groups is mapped, and an unverified email, with a clear page", async () => {
    for (const [login, text] of [
      ["nobody", /nobody@example\.com is signed in at the identity provider but holds no dashboard role/],
      ["unverified", /not verified/],
    ] as const) {
      const { authorizationUrl, jar } = await startLogin();
      const answer = await callback(h.app, await signInAtProvider(authorizationUrl, login), jar.header());
      expect(answer.statusCode).toBe(403);
      expect(answer.headers["content-type"]).toMatch(/^text\/html/);
      expect(answer.body).toMatch(text);
      expect(setCookiesOf(answer).some((line) => line.startsWith("keygate_admin="))).toBe(false);
    }
  });

  it("refuses a change from a session without the CSRF header, or with another one; accepts it with the header and audits the email", async () => {
    const { cookie, me } = await signIn("otto");
    const create = (headers: Record<string, string>) =>
      h.call({
        method: "POST",
        url: "/v1/consumers",
        token: null,
        body: { name: "sso-made" },
        headers: { cookie, ...headers },
      });
    const before = await h.auditLength();
    expectProblem(await create({}), 403, "CSRF_FAILED");
    expectProblem(await create({ "x-keygate-csrf": "0".repeat(64) }), 403, "CSRF_FAILED");
    expect(await h.auditLength()).toBe(before);
    const made = await create({ "x-keygate-csrf": me.csrfToken });
    expect(made.statusCode, made.body).toBe(201);
    const id = (JSON.parse(made.body) as { id: string }).id;
    const audit = JSON.parse((await h.call({ method: "GET", url: "/v1/audit?limit=100" })).body) as {
      data: { action: string; targetId: string; actor: { id: string; name?: string } }[];
    };
    const entry = audit.data.find((e) => e.action === "consumer.create" && e.targetId === id);
    expect(entry?.actor).toMatchObject({ id: "sso:otto", name: "otto@example.com" });
  });

  it("logout ends the session on every node at once; the old cookie is refused", async () => {
    const { cookie, me } = await signIn("ada");
    // A second admin node on the same store: sessions are read from the store on every request.
    const other = await buildAdminApp({
      deps: h.deps,
      propagation: h.bus,
      verify: async () => ({ valid: false, code: "KEY_NOT_FOUND" }) as never,
      ready: async () => true,
      metrics: async () => "",
      authFailuresPerMinute: 0,
      sso: ssoOptions(),
    });
    try {
      const meOn = (app: FastifyInstance) =>
        app.inject({ method: "GET", url: "/v1/me", headers: { cookie } });
      expect((await meOn(other)).statusCode).toBe(200);
      // Logging out is a change too: another site must not sign the operator out.
      expectProblem(
        await h.call({ method: "POST", url: "/auth/logout", token: null, headers: { cookie } }),
        403,
        "CSRF_FAILED",
      );
      const out = await other.inject({
        method: "POST",
        url: "/auth/logout",
        headers: { cookie, "x-keygate-csrf": me.csrfToken },
      });
      expect(out.statusCode).toBe(204);
      expect(setCookiesOf(out).join("\n")).toMatch(
        /^keygate_admin=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/m,
      );
      expectProblem(await meOn(h.app), 401, "UNAUTHENTICATED");
      expectProblem(await meOn(other), 401, "UNAUTHENTICATED");
    } finally {
      await other.close();
    }
  });

  it("a session expires after its lifetime", async () => {
    const { cookie } = await signIn("vera");
    h.clock.advance(8 * 3_600_000);
    expectProblem(
      await h.call({ method: "GET", url: "/v1/me", token: null, headers: { cookie } }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("refuses a callback whose state is not this browser's (forged, altered, or without the pending cookie)", async () => {
    const { authorizationUrl, jar } = await startLogin();
    const good = await signInAtProvider(authorizationUrl, "ada");
    const altered = new URL(good);
    altered.searchParams.set("state", "attacker-state");
    for (const [url, cookie] of [
      [altered.href, jar.header()],
      [good, ""],
      [good, jar.header().replace(/\.([\w-]+)$/, ".AAAA$1")],
    ] as const) {
      const answer = await callback(h.app, url, cookie);
      expect(answer.statusCode, answer.body).toBe(400);
      expect(setCookiesOf(answer).some((line) => line.startsWith("keygate_admin="))).toBe(false);
    }
    // A pending cookie from another sign-in (the attacker's own) does not fit the victim's callback either.
    const attacker = await startLogin();
    const answer = await callback(h.app, good, attacker.jar.header());
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain("state mismatch");
  });

  it("refuses a replayed callback, on the same node and on another", async () => {
    const { authorizationUrl, jar } = await startLogin();
    const url = await signInAtProvider(authorizationUrl, "ada");
    const first = await callback(h.app, url, jar.header());
    expect(first.statusCode).toBe(302);
    const again = await callback(h.app, url, jar.header());
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("already used");
    // Another node has not seen the state spent: the provider refuses the code a second time.
    const other = await buildAdminApp({
      deps: h.deps,
      propagation: h.bus,
      verify: async () => ({ valid: false, code: "KEY_NOT_FOUND" }) as never,
      ready: async () => true,
      metrics: async () => "",
      sso: ssoOptions(),
    });
    try {
      const elsewhere = await callback(other, url, jar.header());
      expect(elsewhere.statusCode, elsewhere.body).toBe(400);
      expect(setCookiesOf(elsewhere).some((line) => line.startsWith("keygate_admin="))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it("refuses an ID token whose nonce is not the one this sign-in sent", async () => {
    const { authorizationUrl, jar } = await startLogin();
    const tampered = new URL(authorizationUrl);
    tampered.searchParams.set("nonce", "a-nonce-this-browser-never-chose");
    const answer = await callback(h.app, await signInAtProvider(tampered.href, "ada"), jar.header());
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.body).toMatch(/could not be verified/);
    expect(setCookiesOf(answer).some((line) => line.startsWith("keygate_admin="))).toBe(false);
  });

  it("keeps admin tokens working beside sessions; a token wins over a cookie and needs no CSRF header", async () => {
    const { cookie } = await signIn("vera");
    const made = await h.call({
      method: "POST",
      url: "/v1/consumers",
      body: { name: "by-token" },
      headers: { cookie },
    });
    expect(made.statusCode).toBe(201);
  });
});

describe("dashboard single sign-on off", () => {
  it("says so, and a session cookie means nothing", async () => {
    const h = await createHarness();
    try {
      const sso = await h.call({ method: "GET", url: "/auth/sso", token: null });
      expect(JSON.parse(sso.body)).toEqual({ enabled: false });
      expectProblem(
        await h.call({
          method: "GET",
          url: "/v1/me",
          token: null,
          headers: { cookie: "keygate_admin=kgo_x" },
        }),
        401,
        "UNAUTHENTICATED",
      );
    } finally {
      await h.close();
    }
  });
});
