import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAdminRoutes, type RegisteredRoute } from "../../src/admin/admin-app.ts";
import { generateAdminToken } from "../../src/admin/admin-tokens.ts";
import { isRoleAccess } from "../../src/admin/route-kit.ts";
import { createHarness, type Harness } from "./support/admin-harness.ts";
import { expectProblem } from "./support/declared.ts";
import { concreteUrl } from "./support/route-urls.ts";

/** Routes that skip admin auth because a signature over the body authenticates them (test/leaks). */
const SIGNED = new Set(["POST /v1/leaks"]);
const routeName = (route: RegisteredRoute) => `${route.method} ${route.url}`;

/**
 * The shared security suite: it walks fastify's own list of registered routes
 * (not the definitions), so a route added any other way is checked too.
 */
describe("admin API security (every registered route)", () => {
  let h: Harness;
  let routes: readonly RegisteredRoute[];

  beforeAll(async () => {
    h = await createHarness();
    routes = listAdminRoutes(h.app);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Routes an operator calls (admin token or dashboard session), whatever role they need. */
  const adminRoutes = () => routes.filter((r) => isRoleAccess(r.access));
  const send = (route: RegisteredRoute, token: string | null, headers?: Record<string, string>) =>
    h.call({
      method: route.method as "GET",
      url: concreteUrl(route),
      token,
      headers,
      ...(route.method === "GET"
        ? {}
        : { body: { name: "x", reason: "x", sunsetAt: "2030-01-01T00:00:00Z" } }),
    });

  it("registers every contract route, and only the expected ones skip admin auth", () => {
    expect(routes.length).toBeGreaterThanOrEqual(26);
    const open = routes.filter((r) => r.access === "public").map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual([
      "GET /auth/sso",
      "GET /docs",
      "GET /docs/openapi.json",
      "GET /healthz",
      "GET /metrics",
      "GET /readyz",
      "POST /v1/leaks",
    ]);
    const consumer = routes.filter((r) => r.access === "consumer").map((r) => `${r.method} ${r.url}`);
    expect(consumer).toEqual(["POST /v1/self/rotate"]);
    for (const route of routes.filter((r) => !SIGNED.has(routeName(r)))) {
      expect(route.access, `${route.method} ${route.url} has no access rule`).toBeDefined();
      if (route.url.startsWith("/v1/") && route.access !== "consumer")
        expect(["viewer", "operator", "admin", "verifier"]).toContain(route.access);
      if (route.method !== "GET" && route.url !== "/v1/verify" && route.access !== "consumer") {
        expect(["operator", "admin"], `${route.method} ${route.url} changes state`).toContain(route.access);
      }
      // Plans and admin tokens are the admin role's alone.
      if (route.url.startsWith("/v1/plans") && route.method !== "GET") expect(route.access).toBe("admin");
      if (route.url.startsWith("/v1/admin-tokens")) expect(route.access).toBe("admin");
    }
    // The verifier role reaches exactly one route.
    expect(routes.filter((r) => r.access === "verifier").map(routeName)).toEqual(["POST /v1/verify"]);
  });

  it("refuses a missing token on every admin route with 401 problem+json and changes nothing", async () => {
    const before = await h.auditLength();
    for (const route of adminRoutes()) {
      const problem = expectProblem(await send(route, null), 401, "UNAUTHENTICATED");
      expect(problem.instance).toBe(concreteUrl(route));
    }
    expect(await h.auditLength()).toBe(before);
  });

  it("refuses wrong, malformed and oversized tokens on every admin route", async () => {
    const before = await h.auditLength();
    const wrong = generateAdminToken(h.deps);
    for (const route of adminRoutes()) {
      expectProblem(await send(route, wrong), 401, "UNAUTHENTICATED");
      expectProblem(
        await send(route, null, { authorization: `Basic ${h.rootToken}` }),
        401,
        "UNAUTHENTICATED",
      );
      expectProblem(await send(route, null, { authorization: "Bearer" }), 401, "UNAUTHENTICATED");
      expectProblem(await send(route, `${h.rootToken}x`), 401, "UNAUTHENTICATED");
      expectProblem(await send(route, "k".repeat(4000)), 401, "UNAUTHENTICATED");
      // A consumer-style header is not an admin credential.
      expectProblem(await send(route, null, { "x-api-key": h.rootToken }), 401, "UNAUTHENTICATED");
    }
    expect(await h.auditLength()).toBe(before);
  });

  it("refuses a revoked token on every admin route", async () => {
    const before = await h.auditLength();
    for (const route of adminRoutes()) {
      const problem = expectProblem(await send(route, h.revokedToken), 401, "UNAUTHENTICATED");
      expect(problem.detail).toContain("revoked");
    }
    expect(await h.auditLength()).toBe(before);
  });

  it("refuses an expired token on every admin route", async () => {
    const before = await h.auditLength();
    for (const route of adminRoutes()) {
      const problem = expectProblem(await send(route, h.expiredToken), 401, "UNAUTHENTICATED");
      expect(problem.detail).toContain("expired");
    }
    expect(await h.auditLength()).toBe(before);
  });

  it("a viewer cannot mutate anything (403 on every route that changes state or verifies), and reads", async () => {
    const before = await h.auditLength();
    let refused = 0;
    for (const route of adminRoutes()) {
      const response = await send(route, h.readToken);
      if (route.method !== "GET" || route.access === "admin" || route.access === "verifier") {
        expectProblem(response, 403, "FORBIDDEN");
        refused++;
      } else {
        expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.statusCode);
      }
    }
    expect(refused).toBeGreaterThanOrEqual(20);
    expect(await h.auditLength()).toBe(before);
  });

  it("an operator cannot manage plans or admin tokens (403) and changes nothing there", async () => {
    const before = await h.auditLength();
    const adminOnly = adminRoutes().filter((r) => r.access === "admin");
    expect(adminOnly.map(routeName).sort()).toEqual([
      "DELETE /v1/admin-tokens/:id",
      "GET /v1/admin-tokens",
      "POST /v1/admin-tokens",
      "PUT /v1/plans/:name",
    ]);
    for (const route of adminOnly) expectProblem(await send(route, h.operatorToken), 403, "FORBIDDEN");
    expect(await h.auditLength()).toBe(before);
    for (const route of adminRoutes().filter((r) => r.access !== "admin")) {
      const response = await send(route, h.operatorToken);
      expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.statusCode);
    }
  });

  it("a verifier can only verify: 403 on every other admin route, and nothing changes", async () => {
    const before = await h.auditLength();
    for (const route of adminRoutes().filter((r) => r.access !== "verifier")) {
      expectProblem(await send(route, h.verifierToken), 403, "FORBIDDEN");
    }
    expect(await h.auditLength()).toBe(before);
    const verified = await h.call({
      method: "POST",
      url: "/v1/verify",
      token: h.verifierToken,
      body: { key: "kg_live_notakey" },
    });
    expect(verified.statusCode).toBe(200);
    expect(JSON.parse(verified.body)).toMatchObject({ valid: false, code: "KEY_MALFORMED" });
  });

  it("an admin passes every role check", async () => {
    for (const route of adminRoutes()) {
      const response = await send(route, h.rootToken);
      expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.statusCode);
    }
  });

  it("authenticates before reading the body: garbage from a stranger is a 401, not a 400 or 413", async () => {
    for (const route of adminRoutes().filter((r) => r.method !== "GET")) {
      const response = await h.app.inject({
        method: route.method as "POST",
        url: concreteUrl(route),
        headers: { "content-type": "application/json" },
        payload: `{"unterminated": "${"x".repeat(100_000)}`,
      });
      expectProblem(response, 401, "UNAUTHENTICATED");
    }
  });

  it("refuses an unsigned request on the signed routes with 401 problem+json and changes nothing", async () => {
    const before = await h.auditLength();
    for (const route of routes.filter((r) => SIGNED.has(routeName(r)))) {
      expectProblem(await send(route, null), 401, "UNAUTHENTICATED");
      expectProblem(await send(route, h.rootToken), 401, "UNAUTHENTICATED");
    }
    expect(await h.auditLength()).toBe(before);
  });

  it("answers the public routes without a token", async () => {
    for (const route of routes.filter((r) => r.access === "public" && !SIGNED.has(routeName(r)))) {
      const response = await send(route, null);
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(200);
    }
  });
});
