import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CapturedMail,
  type SmtpCapture,
  startSmtpCapture,
} from "../../../../e2e/support/smtp-capture.ts";
import {
  consumerSession,
  type PortalNode,
  type PortalSessionClient,
  redeem,
  startPortalNode,
  tokenOf,
} from "./portal-harness.ts";

/**
 * The attacks first: each test is a real HTTP exchange with a node on
 * loopback (SQLite file, every port) that tries what another consumer, a
 * stolen or replayed link, or a forged request would, and sees it fail.
 */

interface KeyAnswer {
  key: { id: string; name: string; status: string };
  secret: string;
}
interface RotationAnswer {
  rotation: { id: string };
  key: { id: string };
  secret: string;
}

let t: PortalNode;
let smtp: SmtpCapture;
let alice: { id: string; client: PortalSessionClient };
let bob: { id: string; client: PortalSessionClient };
let bobKey: KeyAnswer;
let bobRotation: RotationAnswer;

async function json<T>(res: Response | Promise<Response>): Promise<{ status: number; body: T }> {
  const r = await res;
  return { status: r.status, body: (await r.json().catch(() => null)) as T };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await startPortalNode({ KEYGATE_SMTP_URL: smtp.url, KEYGATE_MAIL_FROM: "keys@provider.test" });
  alice = await consumerSession(t, { name: "Alice", email: "alice@example.com", plan: "free" });
  bob = await consumerSession(t, { name: "Bob", email: "bob@example.com", plan: "pro" });
  bobKey = (await json<KeyAnswer>(bob.client.send("POST", "/portal/v1/keys", { name: "Bob prod" }))).body;
  bobRotation = (
    await json<RotationAnswer>(
      bob.client.send("POST", `/portal/v1/keys/${bobKey.key.id}/rotate`, { overlapSeconds: 3600 }),
    )
  ).body;
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("another consumer's keys and rotations", () => {
  it("are 404 to read, rename, rotate, revoke, or read usage of — never 403 — and stay unchanged", async () => {
    const keyId = bobKey.key.id;
    const attempts: Array<Promise<Response>> = [
      alice.client.get(`/portal/v1/keys/${keyId}`),
      alice.client.get(`/portal/v1/keys/${keyId}/usage`),
      alice.client.send("PATCH", `/portal/v1/keys/${keyId}`, { name: "pwned" }),
      alice.client.send("POST", `/portal/v1/keys/${keyId}/rotate`, {}),
      alice.client.send("POST", `/portal/v1/keys/${keyId}/revoke`, {}),
      alice.client.get(`/portal/v1/rotations/${bobRotation.rotation.id}`),
      alice.client.send("POST", `/portal/v1/rotations/${bobRotation.rotation.id}/complete`, {}),
      alice.client.send("POST", `/portal/v1/rotations/${bobRotation.rotation.id}/rollback`, {}),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe("NOT_FOUND");
    }
    // Bob's key and rotation are as they were.
    const bobKeys = await json<{ data: Array<{ id: string; name: string; status: string }> }>(
      bob.client.get("/portal/v1/keys"),
    );
    expect(bobKeys.body.data.find((k) => k.id === keyId)).toMatchObject({
      name: "Bob prod",
      status: "deprecated",
    });
    const rotation = await json<{ state: string }>(
      bob.client.get(`/portal/v1/rotations/${bobRotation.rotation.id}`),
    );
    expect(rotation.body.state).toBe("overlapping");
    // …and Alice's own listing never shows them.
    const aliceKeys = await json<{ data: unknown[] }>(alice.client.get("/portal/v1/keys"));
    expect(aliceKeys.body.data).toEqual([]);
  });

  it("usage counts only the consumer's own keys", async () => {
    const usage = await json<{ series: Array<{ total: number }> }>(alice.client.get("/portal/v1/usage"));
    expect(usage.status).toBe(200);
    expect(usage.body.series.reduce((sum, p) => sum + p.total, 0)).toBe(0);
  });
});

describe("sign-in links", () => {
  it("work once: a replayed link is refused and makes no second session", async () => {
    const created = await t.admin<{ id: string }>("POST", "/v1/consumers", { name: "Replay" });
    const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${created.body.id}/portal-links`, {});
    const token = tokenOf(link.body.url);
    await redeem(t.portalUrl, token);
    const replay = await fetch(`${t.portalUrl}/portal/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    expect(replay.status).toBe(401);
    expect(replay.headers.get("set-cookie")).toBeNull();
    expect(((await replay.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
  });

  it("two browsers opening the same link at once get one session between them", async () => {
    const created = await t.admin<{ id: string }>("POST", "/v1/consumers", { name: "Race" });
    const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${created.body.id}/portal-links`, {});
    const token = tokenOf(link.body.url);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${t.portalUrl}/portal/v1/sessions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token }),
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
  });

  it("expire: a link past its lifetime is refused", async () => {
    const created = await t.admin<{ id: string }>("POST", "/v1/consumers", { name: "Late" });
    const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${created.body.id}/portal-links`, {
      ttlSeconds: 60,
    });
    t.clock.advance(61_000);
    try {
      await expect(redeem(t.portalUrl, tokenOf(link.body.url))).rejects.toThrow(/401/);
    } finally {
      t.clock.advance(-61_000);
    }
  });

  it("a forged token of the right shape, and a non-token, are refused alike", async () => {
    for (const token of [`kgl_${"ab".repeat(32)}`, "../../v1/consumers", ""]) {
      const res = await fetch(`${t.portalUrl}/portal/v1/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      expect([400, 401]).toContain(res.status);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
  });
});

describe("sessions", () => {
  it("an expired session is refused", async () => {
    const c = await consumerSession(t, { name: "Sleeper" });
    expect((await c.client.get("/portal/v1/me")).status).toBe(200);
    t.clock.advance(43_200_000 + 1000);
    try {
      const res = await c.client.get("/portal/v1/me");
      expect(res.status).toBe(401);
    } finally {
      t.clock.advance(-(43_200_000 + 1000));
    }
  });

  it("after logout the old cookie is refused, on every route", async () => {
    const c = await consumerSession(t, { name: "Leaver" });
    const out = await c.client.send("POST", "/portal/v1/logout");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await c.client.get("/portal/v1/me")).status).toBe(401);
    expect((await c.client.get("/portal/v1/keys")).status).toBe(401);
    expect((await c.client.send("POST", "/portal/v1/keys", { name: "after logout" })).status).toBe(401);
  });

  it("a disabled consumer's session ends at once", async () => {
    const c = await consumerSession(t, { name: "Suspended" });
    expect((await c.client.get("/portal/v1/keys")).status).toBe(200);
    const disabled = await t.admin("PATCH", `/v1/consumers/${c.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect((await c.client.get("/portal/v1/keys")).status).toBe(401);
    // Enabling the consumer again does not revive the ended session.
    await t.admin("PATCH", `/v1/consumers/${c.id}`, { disabled: false });
    expect((await c.client.get("/portal/v1/keys")).status).toBe(401);
  });

  it("a made-up or tampered cookie is refused", async () => {
    for (const cookie of [
      `keygate_portal=kgs_${"0".repeat(64)}`,
      "keygate_portal=' or 1=1 --",
      `${alice.client.cookie}x`,
    ]) {
      const res = await fetch(`${t.portalUrl}/portal/v1/me`, { headers: { cookie } });
      expect(res.status).toBe(401);
    }
  });

  it("the cookie is HttpOnly and SameSite=Strict (not Secure over plain http)", async () => {
    const created = await t.admin<{ id: string }>("POST", "/v1/consumers", { name: "Cookie" });
    const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${created.body.id}/portal-links`, {});
    const res = await fetch(`${t.portalUrl}/portal/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: tokenOf(link.body.url) }),
    });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
  });
});

describe("forged requests", () => {
  it("a change without the CSRF header, or with another session's, fails and changes nothing", async () => {
    const before = await json<{ data: unknown[] }>(alice.client.get("/portal/v1/keys"));
    const missing = await alice.client.send("POST", "/portal/v1/keys", { name: "csrf" }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { code: string }).code).toBe("CSRF_FAILED");
    const foreign = await alice.client.send(
      "POST",
      "/portal/v1/keys",
      { name: "csrf" },
      { csrf: bob.client.csrf },
    );
    expect(foreign.status).toBe(403);
    const logout = await alice.client.send("POST", "/portal/v1/logout", {}, { csrf: false });
    expect(logout.status).toBe(403);
    const after = await json<{ data: unknown[] }>(alice.client.get("/portal/v1/keys"));
    expect(after.body.data.length).toBe(before.body.data.length);
    expect((await alice.client.get("/portal/v1/me")).status).toBe(200);
  });

  it("a cross-site Origin is refused, even with the right CSRF token", async () => {
    const res = await fetch(`${t.portalUrl}/portal/v1/keys`, {
      method: "POST",
      headers: {
        cookie: alice.client.cookie,
        "content-type": "application/json",
        "x-keygate-csrf": alice.client.csrf,
        origin: "https://evil.example",
      },
      body: JSON.stringify({ name: "cross-site" }),
    });
    expect(res.status).toBe(403);
    const login = await fetch(`${t.portalUrl}/portal/v1/login-links`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ email: "alice@example.com" }),
    });
    expect(login.status).toBe(403);
  });

  it("a form post (not JSON) is refused before anything happens", async () => {
    const res = await fetch(`${t.portalUrl}/portal/v1/keys`, {
      method: "POST",
      headers: {
        cookie: alice.client.cookie,
        "content-type": "application/x-www-form-urlencoded",
        "x-keygate-csrf": alice.client.csrf,
      },
      body: "name=form",
    });
    expect(res.status).toBe(400);
  });

  it("answers no CORS: a preflight gets no Access-Control-Allow-Origin", async () => {
    const res = await fetch(`${t.portalUrl}/portal/v1/keys`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${t.portalUrl}/portal/v1/me`, {
      headers: { cookie: alice.client.cookie, origin: "https://evil.example" },
    });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("non-canonical paths do not reach another consumer's key or bypass the session", async () => {
    const keyId = bobKey.key.id;
    for (const path of [
      `/portal/v1/keys/${keyId}/../${keyId}`,
      `/portal/v1/keys/%2e%2e/keys/${keyId}`,
      `/portal//v1/keys/${keyId}`,
      `/portal/v1/keys/${keyId};x=1`,
      `/portal/v1/keys/${keyId.toUpperCase()}`,
    ]) {
      const res = await alice.client.get(path);
      expect([400, 404]).toContain(res.status);
      const anonymous = await fetch(`${t.portalUrl}${path}`);
      expect([400, 401, 404]).toContain(anonymous.status);
    }
  });

  it("security headers: frame-ancestors 'none', nosniff, no referrer, no caching of answers", async () => {
    const res = await alice.client.get("/portal/v1/me");
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("magic links by mail", () => {
  async function ask(email: string, ip?: string): Promise<number> {
    const res = await fetch(`${t.portalUrl}/portal/v1/login-links`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(ip === undefined ? {} : { "x-forwarded-for": ip }) },
      body: JSON.stringify({ email }),
    });
    return res.status;
  }

  it("answer 202 for known and unknown addresses alike; only the known one gets a mail, which signs in once", async () => {
    const known = await ask("Alice@Example.com");
    const unknown = await ask("nobody@example.com");
    expect([known, unknown]).toEqual([202, 202]);
    const mail: CapturedMail = await smtp.waitFor((m) => m.to === "alice@example.com");
    expect(mail.subject).toMatch(/sign-in link/i);
    const link = /(http:\/\/\S+\/login\/kgl_[0-9a-f]{64})/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    expect(mail.html).toContain(link ?? "");
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.some((m) => m.to === "nobody@example.com")).toBe(false);
    const session = await redeem(t.portalUrl, tokenOf(link ?? ""));
    const me = await json<{ consumer: { name: string } }>(session.get("/portal/v1/me"));
    expect(me.body.consumer.name).toBe("Alice");
    await expect(redeem(t.portalUrl, tokenOf(link ?? ""))).rejects.toThrow(/401/);
  });

  it("are rate-limited per address (unknown ones too, so the limit reveals nothing)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await ask("bob@example.com"));
    expect(statuses).toEqual([202, 202, 202, 429]);
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) unknown.push(await ask("ghost@example.com"));
    expect(unknown).toEqual([202, 202, 202, 429]);
  });

  it("are rate-limited per client IP across addresses; a forged X-Forwarded-For does not reset it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await ask(`spray${i}@example.com`, `10.0.0.${i}`));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await fetch(`${t.portalUrl}/portal/v1/login-links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "another@example.com" }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("self-service rules", () => {
  it("scopes outside the plan's are refused with 400, naming them", async () => {
    const res = await json<{ code: string; errors: Array<{ path: string }> }>(
      alice.client.send("POST", "/portal/v1/keys", { name: "trader", scopes: ["read", "trade"] }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_FAILED");
    expect(res.body.errors[0]?.path).toBe("/body/scopes");
    const ok = await json<KeyAnswer>(
      alice.client.send("POST", "/portal/v1/keys", { name: "reader", scopes: ["read"] }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.secret).toMatch(/^kg_live_/);
  });

  it("the key limit answers 409 KEY_LIMIT_REACHED, and a revoked key frees a slot", async () => {
    const c = await consumerSession(t, { name: "Hoarder", plan: "pro" });
    const made: KeyAnswer[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await json<KeyAnswer>(c.client.send("POST", "/portal/v1/keys", { name: `k${i}` }));
      expect(res.status).toBe(201);
      made.push(res.body);
    }
    const over = await json<{ code: string }>(
      c.client.send("POST", "/portal/v1/keys", { name: "one too many" }),
    );
    expect(over.status).toBe(409);
    expect(over.body.code).toBe("KEY_LIMIT_REACHED");
    const first = made[0];
    if (first === undefined) throw new Error("no key");
    expect((await c.client.send("POST", `/portal/v1/keys/${first.key.id}/revoke`, {})).status).toBe(200);
    expect((await c.client.send("POST", "/portal/v1/keys", { name: "replacement" })).status).toBe(201);
  });

  it("an overlap above portal.maxOverlapSeconds is refused", async () => {
    const key = (await json<KeyAnswer>(alice.client.send("POST", "/portal/v1/keys", { name: "long" }))).body;
    const res = await alice.client.send("POST", `/portal/v1/keys/${key.key.id}/rotate`, {
      overlapSeconds: 86_401,
    });
    expect(res.status).toBe(400);
  });

  it("portal changes are audited as the consumer, and no secret or link token reaches the audit or the logs", async () => {
    const audit = await t.admin<{ data: Array<{ actor: { type: string; id: string }; action: string }> }>(
      "GET",
      "/v1/audit?limit=1000",
    );
    const text = JSON.stringify(audit.body);
    expect(
      audit.body.data.some(
        (e) => e.actor.type === "consumer" && e.actor.id === bob.id && e.action === "key.create",
      ),
    ).toBe(true);
    expect(audit.body.data.some((e) => e.action === "consumer.sign_in")).toBe(true);
    for (const secret of [bobKey.secret, bobRotation.secret]) {
      expect(text).not.toContain(secret);
      expect(t.logs()).not.toContain(secret);
    }
    expect(text).not.toMatch(/kgl_[0-9a-f]{64}|kgs_[0-9a-f]{64}/);
    expect(t.logs()).not.toMatch(/kgl_[0-9a-f]{64}|kgs_[0-9a-f]{64}/);
  });
});

describe("IP allowlists set in the portal", () => {
  it("validates every entry, stores canonical CIDRs, is enforced by POST /v1/verify, and survives rotation", async () => {
    const c = await consumerSession(t, { name: "Locked", plan: "pro" });
    const bad = await json<{ code: string; errors: Array<{ path: string }> }>(
      c.client.send("POST", "/portal/v1/keys", {
        name: "bad",
        allowedIps: ["10.0.0.0/33", "example.com", "1.2.3.4"],
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toEqual(["/body/allowedIps/0", "/body/allowedIps/1"]);
    const made = await json<{ key: { id: string; allowedIps: string[] }; secret: string }>(
      c.client.send("POST", "/portal/v1/keys", {
        name: "servers",
        allowedIps: ["203.0.113.7/24", "2001:DB8::/32"],
      }),
    );
    expect(made.status).toBe(201);
    expect(made.body.key.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    const verify = async (secret: string, clientIp: string) =>
      (await t.admin<{ valid: boolean; code: string }>("POST", "/v1/verify", { key: secret, clientIp })).body;
    expect(await verify(made.body.secret, "203.0.113.99")).toMatchObject({ valid: true });
    expect(await verify(made.body.secret, "2001:db8:1::5")).toMatchObject({ valid: true });
    expect(await verify(made.body.secret, "198.51.100.1")).toMatchObject({
      valid: false,
      code: "IP_NOT_ALLOWED",
    });
    expect(await verify(made.body.secret, "2001:db9::1")).toMatchObject({
      valid: false,
      code: "IP_NOT_ALLOWED",
    });

    // The successor of a rotation inherits the list.
    const rotated = await json<{ key: { id: string; allowedIps: string[] }; secret: string }>(
      c.client.send("POST", `/portal/v1/keys/${made.body.key.id}/rotate`, { overlapSeconds: 60 }),
    );
    expect(rotated.body.key.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect(await verify(rotated.body.secret, "198.51.100.1")).toMatchObject({ code: "IP_NOT_ALLOWED" });

    // Changing the list reaches the verifier at once; null lifts it.
    const moved = await c.client.send("PATCH", `/portal/v1/keys/${rotated.body.key.id}`, {
      allowedIps: ["198.51.100.0/24"],
    });
    expect(moved.status).toBe(200);
    expect(await verify(rotated.body.secret, "198.51.100.1")).toMatchObject({ valid: true });
    expect(await verify(rotated.body.secret, "203.0.113.99")).toMatchObject({ code: "IP_NOT_ALLOWED" });
    await c.client.send("PATCH", `/portal/v1/keys/${rotated.body.key.id}`, { allowedIps: null });
    expect(await verify(rotated.body.secret, "203.0.113.99")).toMatchObject({ valid: true });
  });

  it("bounds the list by keys.maxAllowedIps", async () => {
    const c = await consumerSession(t, { name: "Many IPs", plan: "pro" });
    const many = Array.from({ length: 101 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`);
    const res = await c.client.send("POST", "/portal/v1/keys", { name: "too many", allowedIps: many });
    expect(res.status).toBe(400);
  });
});
