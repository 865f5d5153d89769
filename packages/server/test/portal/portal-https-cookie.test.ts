import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PortalNode, startPortalNode, tokenOf } from "./portal-harness.ts";

/**
 * Behind https (KEYGATE_PORTAL_URL https://…, TLS terminated in front of the
 * portal) the session cookie is `Secure` and `__Host-` prefixed, so a browser
 * never sends it over plain http and no subdomain can set or shadow it.
 */
let t: PortalNode;

beforeAll(async () => {
  t = await startPortalNode({ KEYGATE_PORTAL_URL: "https://keys.example.test" });
});

afterAll(async () => {
  await t?.close();
});

describe("portal cookie behind https", () => {
  it("is Secure, __Host- prefixed, HttpOnly and SameSite=Strict, and links point at the public URL", async () => {
    const consumer = await t.admin<{ id: string }>("POST", "/v1/consumers", { name: "Https" });
    const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${consumer.body.id}/portal-links`, {});
    expect(link.body.url.startsWith("https://keys.example.test/login/kgl_")).toBe(true);
    const res = await fetch(`${t.portalUrl}/portal/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: tokenOf(link.body.url) }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-keygate_portal=kgs_[0-9a-f]{64}; /);
    for (const attribute of ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"])
      expect(cookie).toContain(attribute);
    expect(cookie).not.toMatch(/Domain=/i);
    // The plain-http cookie name is not honoured behind https.
    const token = cookie.split(";")[0]?.split("=")[1] ?? "";
    const plain = await fetch(`${t.portalUrl}/portal/v1/me`, {
      headers: { cookie: `keygate_portal=${token}` },
    });
    expect(plain.status).toBe(401);
    const secure = await fetch(`${t.portalUrl}/portal/v1/me`, {
      headers: { cookie: `__Host-keygate_portal=${token}` },
    });
    expect(secure.status).toBe(200);
  });
});
