/**
 * The browser build of `@keygate/client` in Chromium against the real demo
 * (market-data upstream behind a real keygate node). The page lives on its
 * own origin, so this also proves the CORS path end to end: preflights are
 * answered by keygate from `gateway.cors`, keygate's `Deprecation`/`Sunset`/`RateLimit`
 * headers are readable by the page, and so are keygate's own refusals and
 * `POST /v1/self/rotate` answers. No web-security flag is used.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, launchChromium } from "./dashboard/support/browser.ts";
import { type ClientPageServer, startClientPage } from "./support/client-page.ts";
import { type KeygateStack, startStack } from "./support/keygate-stack.ts";
import { repoRoot } from "./support/spawn-process.ts";

interface PageCall {
  status: number;
  code: string | null;
  deprecation: string | null;
  sunset: string | null;
  ratelimit: string | null;
  ratelimitPolicy: string | null;
  wwwAuthenticate: string | null;
  upstreamKeyId: string | null;
  hint: string;
  version: number | null;
  error?: string;
}

interface PageEvent {
  name: string;
  oldHint?: string;
  newHint?: string;
  source?: string;
  code?: string;
}

const skipReason = chromiumMissing();

if (skipReason !== null) {
  describe("@keygate/client in Chromium", () => {
    it.skip(skipReason, () => {});
  });
}

describe.skipIf(skipReason !== null)("@keygate/client in Chromium", () => {
  let stack: KeygateStack;
  let site: ClientPageServer;
  let browser: Browser;
  let page: Page;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    execFileSync("npm", ["run", "build", "-w", "@keygate/client"], { cwd: repoRoot, stdio: "ignore" });
    // The page's origin is only known once it listens, and the demo API is public: any origin, no credentials.
    const configFile = join(mkdtempSync(join(tmpdir(), "keygate-cors-")), "keygate.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        gateway: { cors: { allowedOrigins: ["*"], exposedHeaders: ["x-upstream-saw-key"] } },
      }),
    );
    [stack, site, browser] = await Promise.all([
      startStack({ configFile }),
      startClientPage(),
      launchChromium(),
    ]);
    page = await browser.newPage();
    page.on("console", (message) => consoleLines.push(message.text()));
    page.on("pageerror", (error) => consoleLines.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.stop();
  });

  const call = (path?: string, init?: { method: string; body: string; headers: Record<string, string> }) =>
    page.evaluate(
      ([p, i]) =>
        (
          window as unknown as { keygateDemo: { call(p?: string, i?: unknown): Promise<unknown> } }
        ).keygateDemo.call(p, i),
      [path, init] as const,
    ) as Promise<PageCall>;
  const events = () =>
    page.evaluate(() =>
      (window as unknown as { keygateDemo: { events(): unknown[] } }).keygateDemo.events(),
    ) as Promise<PageEvent[]>;

  it("calls the gateway from another origin, self-rotates on request-rotation and keeps getting 200", async () => {
    expect(new URL(site.url).origin).not.toBe(new URL(stack.gatewayUrl).origin);
    expect(
      (await stack.admin("PUT", "/v1/plans/web", { rateLimit: { limit: 600, windowSeconds: 60 } })).status,
    ).toBe(200);
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", {
      name: "browser-app",
      plan: "web",
    });
    const created = await stack.admin<{ secret: string; key: { id: string } }>(
      "POST",
      `/v1/consumers/${consumer.body.id}/keys`,
      { name: "web" },
    );
    const { secret } = created.body;

    await page.goto(site.url);
    await page.waitForFunction(() => document.title === "ready");
    await page.evaluate(
      ([gateway, key]) =>
        (window as unknown as { keygateDemo: { start(g: string, k: string): void } }).keygateDemo.start(
          gateway,
          key,
        ),
      [stack.gatewayUrl, secret] as const,
    );

    // Before any rotation: 200, and the upstream saw the key.
    const first = await call();
    expect(first).toMatchObject({ status: 200, deprecation: null, upstreamKeyId: created.body.key.id });
    // Whatever RateLimit headers the gateway sends (the consumer has a plan), the page reads them too.
    const direct = await fetch(`${stack.gatewayUrl}/v2/trader-grades?symbol=ETH`, {
      headers: { "x-api-key": secret, origin: new URL(site.url).origin },
    });
    await direct.arrayBuffer();
    expect(first.ratelimitPolicy).toBe(direct.headers.get("ratelimit-policy"));
    expect(first.ratelimit === null).toBe(direct.headers.get("ratelimit") === null);
    // A POST with a JSON body (a preflighted request with content-type) goes through too.
    const order = await call("/v2/orders", {
      method: "POST",
      body: JSON.stringify({ symbol: "ETH", side: "buy", quantity: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(order.status).toBe(201);

    // The operator asks for a rotation; the next response tells the page, which rotates by itself.
    const sunsetAt = new Date(Date.now() + 60_000);
    await stack.admin("POST", `/v1/keys/${created.body.key.id}/request-rotation`, {
      sunsetAt: sunsetAt.toISOString(),
    });
    const signalled = await call();
    expect(signalled.status).toBe(200);
    expect(signalled.deprecation).toMatch(/^@\d+$/);
    expect(Date.parse(signalled.sunset ?? "")).toBe(Math.floor(sunsetAt.getTime() / 1000) * 1000);
    await page.evaluate(() =>
      (window as unknown as { keygateDemo: { idle(): Promise<void> } }).keygateDemo.idle(),
    );
    const rotated = (await events()).filter((e) => e.name === "rotated");
    expect(rotated).toEqual([expect.objectContaining({ source: "self", oldHint: first.hint })]);
    expect(await events()).not.toContainEqual(expect.objectContaining({ name: "error" }));

    const keys = await stack.admin<{ data: { id: string; version: number }[] }>(
      "GET",
      `/v1/keys?consumerId=${consumer.body.id}`,
    );
    const successor = keys.body.data.find((k) => k.version === 2);
    expect(keys.body.data.map((k) => k.version).sort()).toEqual([1, 2]);
    for (let i = 0; i < 3; i++) {
      const after = await call();
      expect(after).toMatchObject({
        status: 200,
        deprecation: null,
        upstreamKeyId: successor?.id,
        hint: rotated[0]?.newHint,
        version: 2,
      });
    }

    // An emergency rollover the page is not told about: keygate's 401 is readable cross-origin
    // (status, problem code, WWW-Authenticate), not an opaque network error...
    const rollover = await stack.admin<{ secret: string; key: { id: string } }>(
      "POST",
      `/v1/keys/${successor?.id}/rotate?wait=true`,
      { overlapSeconds: 0 },
    );
    const refused = await call();
    expect(refused).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer error="invalid_token"' });
    expect(["KEY_EXPIRED", "KEY_REVOKED"]).toContain(refused.code);
    // ...and once the app's own backend hands it the new key, the next call uses it.
    await page.evaluate(
      (key) => (window as unknown as { keygateDemo: { setKey(k: string): void } }).keygateDemo.setKey(key),
      rollover.body.secret,
    );
    expect(await call()).toMatchObject({ status: 200, upstreamKeyId: rollover.body.key.id });

    expect(consoleLines.filter((line) => /CORS|Access-Control/i.test(line))).toEqual([]);
    const shown = await page.locator("#log").innerText();
    expect(shown).toContain("rotated");
    expect(shown).not.toContain(secret);
    if (process.env.KEYGATE_SCREENSHOT) await page.screenshot({ path: process.env.KEYGATE_SCREENSHOT });
  }, 60_000);
});
