/**
 * Screenshots of the consumer portal's pages (docs/screenshots/portal-*.png,
 * 1280×800) and of the dashboard's consumer mail, against real processes: the
 * market-data upstream, a keygate node on SQLite and a real SMTP server on
 * loopback, driven in Debian's Chromium. Not part of `npm test`:
 *
 *   node --import tsx e2e/portal/screenshots.ts
 *
 * TRAFFIC_MINUTES (default 2) is how long traffic is sent during the rotation
 * before its page is shot: each minute moves more requests from the old key to
 * the new one, so the per-minute chart shows a migration.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import {
  chromiumMissing,
  ensureDashboardBuilt,
  launchChromium,
  signIn,
} from "../dashboard/support/browser.ts";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { type SmtpCapture, startSmtpCapture } from "../support/smtp-capture.ts";
import { repoRoot } from "../support/spawn-process.ts";

const OUT = join(repoRoot, "docs", "screenshots");
const TRAFFIC_MINUTES = Number(process.env.TRAFFIC_MINUTES ?? 2);
const EMAIL = "desk@quant.example";
const LINK = /(http:\/\/\S+\/login\/kgl_[0-9a-f]{64})/;
const QUOTA = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Mail {
  readonly kind: string;
  readonly status: "queued" | "sent" | "failed";
  readonly attempts: number;
}

/**
 * First a retry schedule that gives up within a second (so one mail ends
 * `failed`), then, after a restart, one whose first retry is 10 minutes away
 * (so a refused mail stays `retrying` while it is shot).
 */
function writeConfig(file: string, mail: { retryScheduleSeconds: number[]; maxAttempts: number }) {
  writeFileSync(
    file,
    JSON.stringify({
      routes: [{ method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 5 }],
      plans: {
        starter: {
          rateLimit: { limit: 300, windowSeconds: 60 },
          quota: { limit: QUOTA, period: "day" },
          scopes: ["read", "trade"],
        },
      },
      portal: {
        title: "CryptoData API keys",
        accentColor: "#0b7a5c",
        supportUrl: "https://example.com/support",
      },
      mail: { pollIntervalMs: 100, ...mail },
    }),
  );
}

async function must<T>(stack: KeygateStack, method: string, path: string, body?: unknown): Promise<T> {
  const res = await stack.admin<T>(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function call(
  stack: KeygateStack,
  secret: string,
  method = "GET",
  path = "/v2/daily-ohlcv?symbol=ETH",
) {
  const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { "x-api-key": secret } });
  await res.arrayBuffer();
  return res.status;
}

async function waitForMail(stack: KeygateStack, consumerId: string, wanted: (mail: Mail) => boolean) {
  for (let i = 0; i < 100; i++) {
    const page = await must<{ data: Mail[] }>(stack, "GET", `/v1/consumers/${consumerId}/mail?limit=100`);
    if (page.data.some(wanted)) return;
    await sleep(200);
  }
  throw new Error("the mail did not reach the state waited for");
}

/** Usage and last use are written in batches (every second): wait until the key's last call is. */
async function usageRecorded(stack: KeygateStack, keyId: string) {
  for (let i = 0; i < 50; i++) {
    const key = await must<{ lastUsedAt: string | null }>(stack, "GET", `/v1/keys/${keyId}`);
    if (key.lastUsedAt !== null) break;
    await sleep(200);
  }
  await sleep(1500);
}

async function shoot(page: Page, name: string, heading: string | RegExp) {
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await sleep(700);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

/** A dialog (or anything not announced by an h1) as it stands now. */
async function snap(page: Page, name: string) {
  await sleep(400);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

/** The secret in the open secret dialog; closes it. */
async function takeSecret(page: Page, name?: string): Promise<string> {
  const dialog = page.getByRole("dialog");
  const secret = await dialog.getByTestId("secret-value").inputValue();
  if (name !== undefined) await snap(page, name);
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "detached" });
  return secret;
}

/** An operator-issued key whose notice the SMTP server refuses twice (failed), then revoked (sent). */
async function seedFailedMail(stack: KeygateStack, smtp: SmtpCapture, consumerId: string) {
  smtp.refuseNext(2);
  const ci = await must<{ key: { id: string }; secret: string }>(
    stack,
    "POST",
    `/v1/consumers/${consumerId}/keys`,
    { name: "CI runner", scopes: ["read"] },
  );
  await waitForMail(stack, consumerId, (mail) => mail.status === "failed");
  await must(stack, "POST", `/v1/keys/${ci.key.id}/revoke`, { reason: "printed in a public CI log" });
  return ci.secret;
}

async function signInByMail(page: Page, stack: KeygateStack, smtp: SmtpCapture) {
  await page.goto(`${stack.portalUrl}/login`);
  await shoot(page, "portal-sign-in", "CryptoData API keys");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByRole("button", { name: "Send sign-in link" }).click();
  await page.getByText(/on its way/).waitFor();
  await snap(page, "portal-sign-in-sent");
  const mail = await smtp.waitFor((m) => m.to === EMAIL && LINK.test(m.text), 15_000);
  const link = LINK.exec(mail.text)?.[1];
  if (link === undefined) throw new Error(`no link in ${mail.text}`);
  await page.goto(link);
  await page.getByRole("button", { name: "Continue" }).waitFor();
  await snap(page, "portal-continue");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
}

async function createKeyInPortal(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Trading bot");
  await dialog.getByLabel("read").check();
  await dialog.getByLabel("trade").check();
  await snap(page, "portal-create-key");
  await dialog.getByRole("button", { name: "Create key" }).click();
  return takeSecret(page, "portal-secret");
}

/** Minute by minute, a growing share of the requests goes to the new key. */
async function sendMigrationTraffic(stack: KeygateStack, oldSecret: string, newSecret: string) {
  const steps = Math.max(1, TRAFFIC_MINUTES);
  for (let minute = 0; minute < steps; minute++) {
    const shareNew = (minute + 1) / (steps + 1);
    const until = Date.now() + 60_000;
    let sent = 0;
    while (Date.now() < until) {
      await call(stack, Math.random() < shareNew ? newSecret : oldSecret);
      sent++;
      await sleep(700);
    }
    console.log(
      `traffic minute ${minute + 1}/${steps}: ${sent} requests, ${Math.round(shareNew * 100)}% new`,
    );
  }
}

/** Calls until 85 % of the day's quota is used, so the quota meter and the 80 % mail show. */
async function useQuota(stack: KeygateStack, consumerId: string, secret: string) {
  const usage = await must<{ quota: { used: number } | null }>(
    stack,
    "GET",
    `/v1/consumers/${consumerId}/usage`,
  );
  const missing = Math.ceil(QUOTA * 0.85) - (usage.quota?.used ?? 0);
  for (let i = 0; i < missing; i++) await call(stack, secret);
}

/** Scrolls a card of the page to the top of the window. */
async function scrollToCard(page: Page, title: string) {
  await page
    .getByRole("heading", { level: 2, name: title, exact: true })
    .evaluate((element) => element.scrollIntoView({ block: "start" }));
  await page.evaluate(() => window.scrollBy(0, -36));
}

async function shootDashboard(page: Page, stack: KeygateStack, consumerId: string) {
  await signIn(page, stack.adminUrl, stack.adminToken);
  await page.goto(`${stack.adminUrl}/#/consumers/${consumerId}`);
  await page.getByRole("heading", { level: 1, name: "Quant Desk" }).waitFor();
  await page.getByRole("button", { name: "Edit allowed IPs of Backtester v1" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Allowed IPs").fill("127.0.0.1/32\n203.0.113.0/24\n10.0.0.300");
  await dialog.getByRole("button", { name: "Save allowed IPs" }).click();
  await dialog.getByText("“10.0.0.300”").waitFor();
  await snap(page, "allowed-ips-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await scrollToCard(page, "Keys");
  await snap(page, "consumer-keys");
  await page.getByRole("cell", { name: /Retrying/ }).waitFor();
  await scrollToCard(page, "Mail");
  await snap(page, "consumer-mail");
}

/** The settings page of a provider without mail: a second node without SMTP, signed in by a hand-off link. */
async function shootWithoutMail(browser: Browser, configFile: string) {
  const stack = await startStack({ configFile });
  try {
    const consumer = await must<{ id: string }>(stack, "POST", "/v1/consumers", {
      name: "Quant Desk",
      plan: "starter",
    });
    const link = await must<{ url: string }>(stack, "POST", `/v1/consumers/${consumer.id}/portal-links`, {});
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(link.url);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    await page.getByRole("link", { name: "Settings" }).click();
    await shoot(page, "portal-account-no-mail", "Settings");
  } finally {
    await stack.stop();
  }
}

async function main() {
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  ensureDashboardBuilt();
  const smtp = await startSmtpCapture();
  const dir = mkdtempSync(join(tmpdir(), "keygate-portal-screenshots-"));
  const configFile = join(dir, "config.json");
  writeConfig(configFile, { retryScheduleSeconds: [0.5], maxAttempts: 2 });
  const stack = await startStack({
    configFile,
    env: { KEYGATE_SMTP_URL: smtp.url, KEYGATE_MAIL_FROM: "CryptoData API <keys@cryptodata.example>" },
  });
  const browser = await launchChromium();
  try {
    const consumer = await must<{ id: string }>(stack, "POST", "/v1/consumers", {
      name: "Quant Desk",
      email: EMAIL,
      plan: "starter",
    });
    const revokedSecret = await seedFailedMail(stack, smtp, consumer.id);
    writeConfig(configFile, { retryScheduleSeconds: [600, 1800], maxAttempts: 10 });
    await stack.stopNode();
    await stack.startNode();
    const backtester = await must<{ key: { id: string }; secret: string }>(
      stack,
      "POST",
      `/v1/consumers/${consumer.id}/keys`,
      { name: "Backtester", scopes: ["read"], allowedIps: ["127.0.0.1", "203.0.113.0/24"] },
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInByMail(page, stack, smtp);
    const first = await createKeyInPortal(page);
    for (let i = 0; i < 40; i++) await call(stack, first);
    for (let i = 0; i < 15; i++) await call(stack, backtester.secret, "GET", "/v2/trader-grades?symbol=BTC");
    for (let i = 0; i < 3; i++) await call(stack, backtester.secret, "POST", "/v2/orders");
    for (let i = 0; i < 2; i++) await call(stack, revokedSecret);
    await usageRecorded(stack, backtester.key.id);
    await page.reload();
    await shoot(page, "portal-keys", "API keys");

    await page.getByRole("link", { name: "Trading bot" }).first().click();
    await shoot(page, "portal-key-detail", "Trading bot");
    await page.getByRole("button", { name: "Rotate" }).click();
    await page.getByRole("dialog").getByLabel("24 hours").check();
    await snap(page, "portal-rotate-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Rotate" }).click();
    const second = await takeSecret(page);
    await page.getByRole("heading", { level: 1, name: /Rotation of/ }).waitFor();
    await sendMigrationTraffic(stack, first, second);
    await shoot(page, "portal-rotation", /Rotation of/);

    await useQuota(stack, consumer.id, second);
    await page.getByRole("navigation").getByRole("link", { name: "Usage" }).click();
    await shoot(page, "portal-usage", "Usage");

    await page.getByRole("link", { name: "Settings" }).click();
    await shoot(page, "portal-account", "Settings");
    await page.getByLabel("Quota at 80 %").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/^Saved\./).waitFor();
    await snap(page, "portal-account-saved");
    await page.setViewportSize({ width: 375, height: 812 });
    await shoot(page, "portal-mobile-account", "Settings");
    await page.getByRole("navigation").getByRole("link", { name: "Keys", exact: true }).click();
    await shoot(page, "portal-mobile-keys", "API keys");

    // A notice the SMTP server refuses once: retried in 10 minutes, shown as retrying with the reply.
    smtp.refuseNext(1);
    await must(stack, "POST", `/v1/keys/${backtester.key.id}/request-rotation`, {
      sunsetAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    });
    await waitForMail(stack, consumer.id, (mail) => mail.status === "queued" && mail.attempts > 0);
    const dashboard = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await shootDashboard(dashboard, stack, consumer.id);
    await shootWithoutMail(browser, configFile);
  } finally {
    await browser.close();
    await stack.stop();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
