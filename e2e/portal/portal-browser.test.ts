import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumMissing, ensureDashboardBuilt, launchChromium } from "../dashboard/support/browser.ts";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { type SmtpCapture, startSmtpCapture } from "../support/smtp-capture.ts";

/**
 * A consumer's whole day in the portal, in Debian's Chromium against real
 * processes (market-data upstream, a keygate node on SQLite) and a real SMTP
 * server: ask for a magic link, read the mail, open it and continue; create a
 * key, copy it, call the gateway with it; rotate with an overlap, call with
 * both keys, watch the old key's traffic in the rotation view, roll back;
 * rotate again and complete; revoke; sign out, and the old cookie is refused.
 */

const skip = chromiumMissing();
const LINK = /(http:\/\/\S+\/login\/kgl_[0-9a-f]{64})/;
const EMAIL = "quant@example.com";

let smtp: SmtpCapture;
let stack: KeygateStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir: string;

async function call(secret: string): Promise<number> {
  const res = await fetch(`${stack.gatewayUrl}/v2/daily-ohlcv?symbol=ETH`, {
    headers: { "x-api-key": secret },
  });
  await res.arrayBuffer();
  return res.status;
}

/** The secret shown once in the open secret dialog, copied with its Copy button, read from the clipboard. */
async function copySecret(): Promise<string> {
  const dialog = page.getByRole("dialog");
  const shown = await dialog.getByTestId("secret-value").inputValue();
  await dialog.getByRole("button", { name: "Copy", exact: true }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "detached" });
  return copied;
}

describe.skipIf(skip !== null)("consumer portal in Chromium", () => {
  beforeAll(async () => {
    ensureDashboardBuilt();
    smtp = await startSmtpCapture();
    dir = mkdtempSync(join(tmpdir(), "keygate-portal-e2e-"));
    const configFile = join(dir, "config.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        routes: [{ method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 }],
        plans: {
          pro: {
            rateLimit: { limit: 600, windowSeconds: 60 },
            quota: { limit: 500_000, period: "month" },
            scopes: ["read", "trade"],
          },
        },
        portal: { title: "CryptoData API keys", accentColor: "#0b7a5c" },
        mail: { pollIntervalMs: 100 },
      }),
    );
    stack = await startStack({
      configFile,
      env: { KEYGATE_SMTP_URL: smtp.url, KEYGATE_MAIL_FROM: "keys@cryptodata.test" },
    });
    const consumer = await stack.admin("POST", "/v1/consumers", {
      name: "Quant Desk",
      email: EMAIL,
      plan: "pro",
    });
    expect(consumer.status).toBe(201);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.portalUrl });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("signs in with a magic link, manages keys through rotation, rollback, completion and revocation, and signs out", async () => {
    // Sign in: ask for a link, read the mail, open it, press Continue.
    await page.goto(`${stack.portalUrl}/login`);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByRole("button", { name: "Send sign-in link" }).click();
    await page.getByText(/on its way/).waitFor();
    const mail = await smtp.waitFor((m) => m.to === EMAIL, 15_000);
    const link = LINK.exec(mail.text)?.[1];
    if (link === undefined) throw new Error(`no link in ${mail.text}`);
    await page.goto(link);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    // The spent token leaves the address bar (and so the history and any later Referer).
    await expect.poll(() => page.url()).not.toContain("kgl_");

    // Create a key, copy it, call the gateway with it.
    await page.getByRole("button", { name: "Create key" }).click();
    const create = page.getByRole("dialog");
    await create.getByLabel("Name").fill("Trading bot");
    await create.getByLabel("read").check();
    await create.getByRole("button", { name: "Create key" }).click();
    const first = await copySecret();
    expect(first).toMatch(/^kg_live_/);
    expect(await call(first)).toBe(200);

    // Rotate with a one-hour overlap: both keys work, and the old key's traffic shows in the rotation view.
    await page.getByRole("link", { name: "Trading bot" }).first().click();
    await page.getByRole("button", { name: "Rotate" }).click();
    const rotate = page.getByRole("dialog");
    await rotate.getByLabel("1 hour").check();
    await rotate.getByRole("button", { name: "Rotate" }).click();
    const second = await copySecret();
    await page.getByRole("heading", { level: 1, name: /Rotation of/ }).waitFor();
    for (let i = 0; i < 3; i++) expect(await call(first)).toBe(200);
    expect(await call(second)).toBe(200);
    await page.getByText(/still works until/).waitFor();
    // The view polls every 3 s; the old key's requests in the last 15 minutes show up there.
    await expect
      .poll(async () => page.getByTestId("traffic-old-15m").textContent(), { timeout: 15_000 })
      .toBe("4");

    // Roll back: the old key is the one that works, the new one is revoked.
    await page.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Roll back" }).click();
    await page.getByText(/Rolled back/).waitFor();
    expect(await call(first)).toBe(200);
    expect(await call(second)).toBe(401);

    // Rotate again and complete: only the newest key works.
    await page.getByRole("navigation").getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    await page.getByRole("link", { name: "Trading bot" }).first().click();
    await page.getByRole("button", { name: "Rotate" }).click();
    await page.getByRole("dialog").getByLabel("1 hour").check();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate" }).click();
    const third = await copySecret();
    await page.getByRole("heading", { level: 1, name: /Rotation of/ }).waitFor();
    await page.getByRole("button", { name: "Complete now" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Complete now" }).click();
    await page.getByText(/Completed/).waitFor();
    expect(await call(third)).toBe(200);
    expect(await call(first)).toBe(401);

    // Revoke, typing the key's name to confirm.
    await page.getByRole("navigation").getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByRole("link", { name: "Trading bot" }).first().click();
    await page.getByRole("button", { name: "Revoke" }).click();
    const revoke = page.getByRole("alertdialog");
    await revoke.getByLabel("Type the key's name to confirm").fill("Trading bot");
    await revoke.getByRole("button", { name: "Revoke" }).click();
    await revoke.waitFor({ state: "detached" });
    expect(await call(third)).toBe(401);

    // Sign out: the old session cookie is refused from now on.
    const [cookie] = (await context.cookies(stack.portalUrl)).filter((c) => c.name === "keygate_portal");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText(/Signed out/).waitFor();
    const replay = await fetch(`${stack.portalUrl}/portal/v1/me`, {
      headers: { cookie: `keygate_portal=${cookie?.value ?? ""}` },
    });
    expect(replay.status).toBe(401);
  }, 120_000);
});
