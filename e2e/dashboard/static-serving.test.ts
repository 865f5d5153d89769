/**
 * The admin port serves the built dashboard at `/` without ever shadowing the
 * API: files with their types and cache rules, the SPA fallback, no path out
 * of the directory, and a helpful page when the build is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../packages/server/src/admin/admin-app.ts";
import { LocalChangeBus } from "../../packages/server/src/cluster/local/local-change-bus.ts";
import { cryptoRandom, nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";

const INDEX = "<!doctype html><title>keygate</title><div id=root></div>";
const SCRIPT = "console.log('dashboard')";

async function adminApp(staticDir: string | undefined): Promise<FastifyInstance> {
  const store = new MemoryKeyStore({ hasher: nodeHasher });
  const bus = new LocalChangeBus();
  const deps = { store, clock: systemClock, random: cryptoRandom, hasher: nodeHasher, bus };
  const verifier = new Verifier({ store, clock: systemClock, hasher: nodeHasher });
  return buildAdminApp({
    deps,
    propagation: bus,
    verify: (secret, scopes) => verifier.verify(secret, scopes),
    ready: async () => true,
    metrics: async () => "keygate_up 1\n",
    staticDir,
  });
}

describe("admin port: the dashboard's static files", () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "keygate-static-"));
    dist = join(root, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), INDEX);
    writeFileSync(join(dist, "assets", "index-AbC123.js"), SCRIPT);
    writeFileSync(join(dist, "assets", "index-AbC123.css"), "body{}");
    writeFileSync(join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    writeFileSync(join(root, "secret.txt"), "outside the dashboard");
    mkdirSync(join(dist, "nested"));
    app = await adminApp(dist);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves index.html at / with HTML security headers and no long cache", async () => {
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe(INDEX);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });

  it("serves hashed assets with their content type and an immutable year-long cache", async () => {
    const js = await app.inject({ method: "GET", url: "/assets/index-AbC123.js?v=1" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe(SCRIPT);
    const css = await app.inject({ method: "GET", url: "/assets/index-AbC123.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.headers["cache-control"]).toBe("no-cache");
  });

  it("answers unknown route-like GET paths with index.html (SPA fallback), but not missing files", async () => {
    for (const url of ["/consumers", "/consumers/con_1", "/rotations/rot_1?x=1", "/nested"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
    }
    for (const url of ["/assets/missing.js", "/assets/", "/robots.txt", "/missing.png"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"], url).toContain("application/problem+json");
    }
    const post = await app.inject({ method: "POST", url: "/consumers" });
    expect(post.statusCode).toBe(404);
  });

  it("never shadows the API or the operations endpoints", async () => {
    for (const url of [
      "/v1",
      "/v1/",
      "/v1/nope",
      "/v1/consumers/x/y/z",
      "/docs/nope",
      "/healthz/x",
      "/metrics/x",
    ]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: "NOT_FOUND", status: 404 });
    }
    const api = await app.inject({ method: "GET", url: "/v1/consumers" });
    expect(api.statusCode).toBe(401);
    for (const url of ["/healthz", "/readyz", "/metrics", "/docs"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toBe(INDEX);
    }
  });

  it("serves nothing outside its directory, however the path is spelled", async () => {
    for (const url of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/..%5csecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/%00",
      "/.env",
      "/%E0%A4%A",
    ]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.body, url).not.toContain("outside the dashboard");
      expect([400, 404], url).toContain(res.statusCode);
    }
  });

  it("says how to build the dashboard when the build is missing", async () => {
    const missing = await adminApp(join(root, "not-built"));
    try {
      const res = await missing.inject({ method: "GET", url: "/" });
      expect(res.statusCode).toBe(503);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toContain("npm run build -w @keygate/dashboard");
      expect((await missing.inject({ method: "GET", url: "/consumers" })).statusCode).toBe(404);
    } finally {
      await missing.close();
    }
  });

  it("without a dashboard directory, / is a plain 404 problem", async () => {
    const bare = await adminApp(undefined);
    try {
      const res = await bare.inject({ method: "GET", url: "/" });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await bare.close();
    }
  });
});
