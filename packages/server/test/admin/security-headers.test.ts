import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./support/admin-harness.ts";

/**
 * Every answer of the admin port carries the browser-side defences (issue
 * 15): a CSP that runs no inline script and lets no site frame the page,
 * `nosniff`, a referrer policy, and no framing by older browsers either.
 * API answers are data: their CSP allows nothing at all.
 */
function scriptSources(csp: string): string {
  const directives = new Map(
    csp.split(";").map((part) => {
      const [name = "", ...values] = part.trim().split(/\s+/);
      return [name, values.join(" ")] as const;
    }),
  );
  return directives.get("script-src") ?? directives.get("default-src") ?? "";
}

function expectHardened(response: LightMyRequestResponse, what: string): string {
  const csp = String(response.headers["content-security-policy"] ?? "");
  expect(csp, `${what}: CSP`).toMatch(/frame-ancestors 'none'/);
  expect(scriptSources(csp), `${what}: script sources`).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(scriptSources(csp), `${what}: script sources`).not.toBe("");
  expect(response.headers["x-content-type-options"], what).toBe("nosniff");
  expect(response.headers["referrer-policy"], what).toBe("no-referrer");
  expect(response.headers["x-frame-options"], what).toBe("DENY");
  return csp;
}

describe("admin port security headers", () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keygate-headers-"));
    writeFileSync(
      join(dir, "index.html"),
      '<!doctype html><script type="module" src="/assets/app.js"></script>',
    );
    h = await createHarness({ staticDir: dir });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("API answers, errors and operations endpoints allow nothing to run or frame them", async () => {
    for (const [url, token] of [
      ["/v1/consumers", undefined],
      ["/v1/consumers", null],
      ["/v1/no-such-route", undefined],
      ["/healthz", null],
      ["/docs/openapi.json", null],
      ["/auth/sso", null],
    ] as const) {
      const response = await h.call({ method: "GET", url, token });
      const csp = expectHardened(response, url);
      expect(csp, url).toMatch(/default-src 'none'/);
    }
  });

  it("the dashboard page runs only its own scripts", async () => {
    const response = await h.call({ method: "GET", url: "/", token: null });
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    const csp = expectHardened(response, "/");
    expect(scriptSources(csp)).toBe("'self'");
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
  });
});
