/**
 * Screenshots of the dashboard's main pages (docs/screenshots/*.png, 1280×800)
 * against a seeded demo stack with some traffic. Not part of `npm test`:
 *
 *   node --import tsx e2e/dashboard/screenshots.ts
 *
 * TRAFFIC_MINUTES (default 3) is how long traffic is sent before the
 * rotation page is shot: each minute shifts more requests from the old key to
 * the new one, so the per-minute chart shows a migration.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { parse } from "yaml";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { repoRoot } from "../support/spawn-process.ts";
import { chromiumMissing, ensureDashboardBuilt, launchChromium, signIn } from "./support/browser.ts";

const OUT = join(repoRoot, "docs", "screenshots");
const TRAFFIC_MINUTES = Number(process.env.TRAFFIC_MINUTES ?? 3);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Created {
  key: { id: string };
  secret: string;
}

async function must<T>(stack: KeygateStack, method: string, path: string, body?: unknown): Promise<T> {
  const res = await stack.admin<T>(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function call(
  stack: KeygateStack,
  secret: string,
  path = "/v2/daily-ohlcv?symbol=ETH",
): Promise<number> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, { headers: { "x-api-key": secret } });
  await res.arrayBuffer();
  return res.status;
}

async function consumer(stack: KeygateStack, name: string, plan: string | null, metadata = {}) {
  return must<{ id: string }>(stack, "POST", "/v1/consumers", { name, plan, metadata });
}

async function key(stack: KeygateStack, consumerId: string, name: string, scopes: string[], env = "live") {
  return must<Created>(stack, "POST", `/v1/consumers/${consumerId}/keys`, { name, scopes, env });
}

/** A local endpoint that accepts every webhook delivery. */
async function webhookReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(req.url?.includes("flaky") ? 503 : 204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/keygate`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function seed(stack: KeygateStack, receiverUrl: string) {
  await must(stack, "PUT", "/v1/plans/enterprise", {
    rateLimit: { limit: 6000, windowSeconds: 60 },
    quota: { limit: 10_000_000, period: "month" },
  });
  const webhook = await stack.admin("POST", "/v1/webhooks", {
    url: receiverUrl,
    events: ["key.created", "key.rotated", "key.revoked", "rotation.rolled_back", "key.rotation_due"],
    description: "Ops alerts",
  });
  if (webhook.status !== 201) console.warn(`webhooks not available yet (${webhook.status})`);
  await stack.admin("POST", "/v1/webhooks", {
    url: receiverUrl.replace("/hooks/keygate", "/hooks/flaky"),
    events: ["*"],
    description: "Staging receiver (down)",
  });

  const acme = await consumer(stack, "Acme Analytics", "pro", { tier: "gold" });
  const quant = await consumer(stack, "Quant Labs", "enterprise");
  const trader = await consumer(stack, "Demo Trader", "free");
  await consumer(stack, "Northwind Exchange", "pro");
  await consumer(stack, "Hobby Bot", null);

  const production = await key(stack, acme.id, "Production", ["read", "trade"]);
  const staging = await key(stack, acme.id, "Staging", ["read"], "test");
  const quantKey = await key(stack, quant.id, "Backtester", ["read"]);
  const traderKey = await key(stack, trader.id, "Laptop", ["read"]);
  const leaked = await key(stack, quant.id, "CI runner", ["read"]);
  await must(stack, "POST", `/v1/keys/${leaked.key.id}/revoke`, { reason: "leaked in a public CI log" });
  await must(stack, "POST", `/v1/keys/${quantKey.key.id}/request-rotation`, {
    sunsetAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
  });
  for (let i = 0; i < 12; i++) await call(stack, staging.secret);
  for (let i = 0; i < 6; i++) await call(stack, traderKey.secret);
  for (let i = 0; i < 20; i++) await call(stack, quantKey.secret, "/v2/trader-grades?symbol=BTC");
  await call(stack, "kg_live_00000000000000000000000000000000_000000");

  // A rotation whose traffic moves from the old key to the new one, minute by minute.
  const rotated = await must<{ rotation: { id: string }; secret: string }>(
    stack,
    "POST",
    `/v1/keys/${production.key.id}/rotate`,
    { overlapSeconds: 7 * 86_400, retire: "idle", idleSeconds: 1800 },
  );
  // A second, older rotation that was rolled back, for the audit log and the rotations list.
  const other = await must<{ rotation: { id: string } }>(stack, "POST", `/v1/keys/${staging.key.id}/rotate`, {
    overlapSeconds: 3600,
  });
  await must(stack, "POST", `/v1/rotations/${other.rotation.id}/rollback`);
  return {
    acmeId: acme.id,
    rotationId: rotated.rotation.id,
    oldSecret: production.secret,
    newSecret: rotated.secret,
  };
}

async function sendMigrationTraffic(stack: KeygateStack, oldSecret: string, newSecret: string) {
  const steps = Math.max(1, TRAFFIC_MINUTES);
  for (let minute = 0; minute < steps; minute++) {
    const shareNew = (minute + 1) / (steps + 1);
    const until = Date.now() + 60_000;
    let sent = 0;
    while (Date.now() < until && (steps > 1 || sent < 40)) {
      await call(stack, Math.random() < shareNew ? newSecret : oldSecret);
      sent++;
      await sleep(600);
    }
    console.log(
      `traffic minute ${minute + 1}/${steps}: ${sent} requests, ${Math.round(shareNew * 100)}% on the new key`,
    );
  }
}

async function shoot(page: Page, name: string, heading: string) {
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await sleep(700);
  await page.mouse.move(0, 799);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

async function main() {
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  ensureDashboardBuilt();
  const receiver = await webhookReceiver();
  // The demo config, plus webhooks allowed to reach the local receiver.
  const configDir = mkdtempSync(join(tmpdir(), "keygate-screenshots-"));
  const configFile = join(configDir, "keygate.json");
  const demo = parse(readFileSync(join(repoRoot, "examples", "demo-config.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  writeFileSync(
    configFile,
    JSON.stringify({ ...demo, webhooks: { allowPrivateNetworks: true, pollIntervalMs: 200 } }),
  );
  const stack = await startStack({ configFile });
  const browser = await launchChromium();
  try {
    const seeded = await seed(stack, receiver.url);
    await sendMigrationTraffic(stack, seeded.oldSecret, seeded.newSecret);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, stack.adminUrl, stack.adminToken);
    await shoot(page, "overview", "Overview");
    await page.goto(`${stack.adminUrl}/#/consumers`);
    await shoot(page, "consumers", "Consumers");
    await page.goto(`${stack.adminUrl}/#/consumers/${seeded.acmeId}`);
    await shoot(page, "consumer-detail", "Acme Analytics");
    await page.getByRole("button", { name: "Rotate Production v2" }).click();
    await page.getByRole("radio", { name: "Custom" }).check();
    await page.getByLabel("Overlap length").fill("10");
    await sleep(300);
    await page.screenshot({ path: join(OUT, "rotate-dialog.png") });
    console.log("docs/screenshots/rotate-dialog.png");
    await page.keyboard.press("Escape");
    await page.goto(`${stack.adminUrl}/#/rotations/${seeded.rotationId}`);
    await shoot(page, "rotation-detail", "Rotation of “Production”");
    await page.goto(`${stack.adminUrl}/#/audit`);
    await shoot(page, "audit", "Audit log");
    await page.goto(`${stack.adminUrl}/#/webhooks`);
    await shoot(page, "webhooks", "Webhooks");
    await page.goto(`${stack.adminUrl}/#/plans`);
    await shoot(page, "plans", "Plans");
  } finally {
    await browser.close();
    await stack.stop();
    await receiver.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

await main();
