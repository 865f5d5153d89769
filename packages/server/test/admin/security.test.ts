import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAdminRoutes, type RegisteredRoute } from "../../src/admin/admin-app.ts";
import { generateAdminToken } from "../../src/admin/admin-tokens.ts";
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

  const adminRoutes = () => routes.filter((r) => r.access === "read" || r.access === "write");
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
        expect(["read", "write"]).toContain(route.access);
      if (route.method !== "GET" && route.url !== "/v1/verify" && route.access !== "consumer") {
        expect(route.access, `${route.method} ${route.url} changes state`).toBe("write");
      }
    }
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

  it("refuses a read-only token on every mutating route with 403, and lets it read", async () => {
    const before = await h.auditLength();
    for (const route of adminRoutes()) {
      const response = await send(route, h.readToken);
      if (route.access === "write") {
        expectProblem(response, 403, "FORBIDDEN");
      } else {
        expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.statusCode);
      }
    }
    expect(await h.auditLength()).toBe(before);
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
