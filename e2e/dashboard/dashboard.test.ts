/**
 * The operator dashboard in a real Chromium against a real stack (market-data
 * upstream + `keygate start` on loopback): sign in, create a consumer and a
 * key, take the secret from the copy-once dialog and call the gateway with it,
 * rotate with a 10-minute overlap, watch the traffic move to the new key,
 * roll back, revoke with typed confirmation, and find it all in the audit log.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { chromiumMissing, ensureDashboardBuilt, launchChromium, signIn } from "./support/browser.ts";

interface KeyRow {
  id: string;
  name: string;
  version: number;
  status: string;
}

const skipReason = chromiumMissing();

async function gateway(stack: KeygateStack, secret: string) {
  const res = await fetch(`${stack.gatewayUrl}/v2/daily-ohlcv?symbol=ETH`, {
    headers: { "x-api-key": secret },
  });
  const body = await res.text();
  const code = res.headers.get("content-type")?.includes("problem+json")
    ? (JSON.parse(body) as { code?: string }).code
    : undefined;
  return { status: res.status, code, deprecation: res.headers.get("deprecation") };
}

if (skipReason !== null) {
  describe("operator dashboard in Chromium", () => {
    it.skip(skipReason, () => {});
  });
}

describe.skipIf(skipReason !== null)("operator dashboard in Chromium", () => {
  let stack: KeygateStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  // A webhook receiver on loopback that refuses until told otherwise.
  let receiver: Server;
  let receiverUrl: string;
  let receiverStatus = 503;
  const received: Array<{ signature: string | undefined; body: string }> = [];
  let configDir: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      req.on("end", () => {
        const signature = req.headers["webhook-signature"];
        received.push({ signature: typeof signature === "string" ? signature : undefined, body });
        res.writeHead(receiverStatus).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    configDir = mkdtempSync(join(tmpdir(), "keygate-dashboard-e2e-"));
    const configFile = join(configDir, "keygate.json");
    writeFileSync(
      configFile,
      JSON.stringify({ webhooks: { allowPrivateNetworks: true, pollIntervalMs: 100, maxAttempts: 1 } }),
    );
    [stack, browser] = await Promise.all([startStack({ configFile }), launchChromium()]);
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // The browser logs every 4xx as "Failed to load resource": those are answers the page shows (a 400
    // with field errors, a 404 from an endpoint not built yet). Script errors and 5xx answers are defects.
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
        pageErrors.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 500) pageErrors.push(`${response.status()} ${response.url()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
  });

  const keysOf = async (consumerId: string) =>
    (await stack.admin<{ data: KeyRow[] }>("GET", `/v1/keys?consumerId=${consumerId}`)).body.data;
  const row = (keyId: string) => page.locator(`tr[data-key-id="${keyId}"]`);

  it("runs a key's whole life from the browser", { timeout: 90_000 }, async () => {
    // Sign-in: the token lives in sessionStorage, never in the URL or localStorage.
    await signIn(page, stack.adminUrl, stack.adminToken);
    expect(page.url()).not.toContain(stack.adminToken);
    expect(await page.evaluate(() => sessionStorage.getItem("keygate.adminToken"))).toBe(stack.adminToken);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(stack.adminToken);

    // A consumer, from the consumers page.
    await page.getByRole("link", { name: "Consumers" }).click();
    await page.getByRole("heading", { level: 1, name: "Consumers" }).waitFor();
    await page.getByRole("button", { name: "New consumer" }).click();
    await page.getByRole("dialog", { name: "New consumer" }).getByLabel("Name").fill("E2E Corp");
    await page.getByRole("button", { name: "Create consumer" }).click();
    await page.getByRole("heading", { level: 1, name: "E2E Corp" }).waitFor();
    const consumerId = decodeURIComponent(page.url().split("/consumers/")[1] ?? "");
    expect(consumerId).toMatch(/^con_/);

    // A bad scope shows the problem's detail and the field error; fixing it creates the key.
    await page.getByRole("button", { name: "New key" }).click();
    const createDialog = page.getByRole("dialog", { name: "New key" });
    await createDialog.getByLabel("Name").fill("Production");
    await createDialog.getByLabel("Scopes").fill("read, bad!scope");
    await createDialog.getByRole("button", { name: "Create key" }).click();
    await createDialog.getByRole("alert").getByText("VALIDATION_FAILED").waitFor();
    await createDialog.locator(".field-error", { hasText: "must be 1–64 of A-Z a-z 0-9" }).waitFor();
    expect(await createDialog.getByLabel("Scopes").getAttribute("aria-invalid")).toBe("true");
    await createDialog.getByLabel("Scopes").fill("read");
    await createDialog.getByRole("button", { name: "Create key" }).click();

    // The copy-once dialog: the visible secret and the clipboard agree.
    const secretDialog = page.getByRole("dialog", { name: "Key created" });
    const secret = await secretDialog.getByLabel("Secret").inputValue();
    expect(secret).toMatch(/^kg_live_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
    await secretDialog.getByRole("button", { name: "Copy secret" }).click();
    await secretDialog.getByText("Copied to the clipboard").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await secretDialog.getByRole("button", { name: /close$/ }).click();
    await secretDialog.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);

    expect((await gateway(stack, secret)).status).toBe(200);
    const [v1] = await keysOf(consumerId);
    if (v1 === undefined) throw new Error("the key is not listed");
    // "Last used" leaves "never" once the gateway's usage reaches the store.
    await expect
      .poll(() => row(v1.id).locator("td").nth(3).textContent(), { timeout: 15_000 })
      .not.toBe("never");

    // Rotate dialog: Escape closes it and gives focus back; Tab stays inside it.
    const rotateButton = page.getByRole("button", { name: "Rotate Production v1" });
    await rotateButton.click();
    const rotateDialog = page.getByRole("dialog", { name: "Rotate “Production”" });
    await rotateDialog.waitFor();
    for (let i = 0; i < 15; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(true);
    await page.keyboard.press("Escape");
    await rotateDialog.waitFor({ state: "detached" });
    expect(await rotateButton.evaluate((button) => button === document.activeElement)).toBe(true);

    // Rotate with a 10-minute overlap.
    await rotateButton.click();
    await rotateDialog.getByRole("radio", { name: "Custom" }).check();
    await rotateDialog.getByLabel("Overlap length").fill("10");
    await rotateDialog.getByLabel("Unit").selectOption("minutes");
    await rotateDialog.getByText("The old key stops working in 10 m at the latest.").waitFor();
    await rotateDialog.getByRole("button", { name: "Rotate key" }).click();
    const rotatedDialog = page.getByRole("dialog", { name: "Key rotated" });
    const newSecret = await rotatedDialog.getByLabel("Secret").inputValue();
    expect(newSecret).toMatch(/^kg_live_/);
    expect(newSecret).not.toBe(secret);
    await rotatedDialog.getByRole("button", { name: /close$/ }).click();

    const keys = await keysOf(consumerId);
    const v2 = keys.find((key) => key.version === 2);
    if (v2 === undefined) throw new Error("no successor listed");
    await row(v1.id).getByText("Deprecated").waitFor();
    await row(v1.id)
      .getByText(/^(9|10) m/)
      .waitFor();
    await row(v2.id).getByText("Active").waitFor();
    const old = await gateway(stack, secret);
    expect(old.status).toBe(200);
    expect(old.deprecation).toMatch(/^@\d+$/);

    // The rotation page: traffic on the new key shows up in the chart.
    for (let i = 0; i < 8; i++) expect((await gateway(stack, newSecret)).status).toBe(200);
    await row(v1.id).getByRole("link", { name: "View rotation" }).click();
    await page.getByRole("heading", { level: 1, name: "Rotation of “Production”" }).waitFor();
    // The chart and the counters: the 8 requests on the new key show up within a few polls.
    await page.locator(".recharts-surface").first().waitFor();
    await expect
      .poll(
        async () => Number((await page.getByTestId("traffic-new-15m").textContent())?.replace(/\D/g, "")),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(8);
    expect(
      Number((await page.getByTestId("traffic-old-15m").textContent())?.replace(/\D/g, "")),
    ).toBeGreaterThanOrEqual(2);
    await page
      .getByTestId("traffic-progress")
      .getByText(/^\d+%$/)
      .waitFor();
    await page.locator(".recharts-legend-item-text", { hasText: "New key" }).waitFor();
    await page.getByTestId("old-key").getByText("Deprecated").waitFor();

    // Roll back: the old key is active again, the new one refused.
    await page.getByRole("button", { name: "Roll back" }).click();
    const rollback = page.getByRole("alertdialog", { name: "Roll back this rotation?" });
    await rollback.getByRole("button", { name: "Roll back" }).click();
    await rollback.waitFor({ state: "detached" });
    await page.getByText("Rolled back").first().waitFor();
    await page.getByTestId("new-key").getByText("Revoked").waitFor();
    expect(await gateway(stack, newSecret)).toMatchObject({ status: 401, code: "KEY_REVOKED" });
    expect(await gateway(stack, secret)).toMatchObject({ status: 200, deprecation: null });

    // Revoke, with typed confirmation.
    await page.getByRole("link", { name: "← E2E Corp" }).click();
    await row(v1.id).getByText("Active").waitFor();
    await page.getByRole("button", { name: "Revoke Production v1" }).click();
    const revoke = page.getByRole("alertdialog", { name: "Revoke “Production”" });
    const confirm = revoke.getByRole("button", { name: "Revoke key" });
    await revoke.getByLabel("Type Production to confirm").fill("production");
    expect(await confirm.isDisabled()).toBe(true);
    await revoke.getByLabel("Type Production to confirm").fill("Production");
    await revoke.getByLabel("Reason (optional)").fill("e2e test");
    await confirm.click();
    await revoke.waitFor({ state: "detached" });
    await row(v1.id).getByText("Revoked").waitFor();
    expect(await gateway(stack, secret)).toMatchObject({ status: 401, code: "KEY_REVOKED" });

    // The audit log has it all, and its chain verifies.
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByTestId("audit-verdict").getByText("Chain verified.").waitFor();
    for (const action of ["consumer.create", "key.create", "key.rotate", "rotation.rollback", "key.revoke"])
      await page.getByRole("cell", { name: action, exact: true }).first().waitFor();

    // Every other page renders without an error state, whichever optional endpoints exist.
    for (const [link, heading] of [
      ["Overview", "Overview"],
      ["Webhooks", "Webhooks"],
      ["Plans", "Plans"],
    ] as const) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await page.locator(".loading-state").first().waitFor({ state: "detached" });
      expect(await page.locator(".problem").count(), heading).toBe(0);
    }

    // Signing out forgets the token.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("keygate.adminToken"))).toBeNull();
    expect(pageErrors).toEqual([]);
  });
  it("registers a webhook endpoint and redelivers a failed delivery", { timeout: 60_000 }, async () => {
    await signIn(page, stack.adminUrl, stack.adminToken);
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByRole("button", { name: "New endpoint" }).click();
    const create = page.getByRole("dialog", { name: "New webhook endpoint" });
    await create.getByLabel("URL").fill(receiverUrl);
    await create.getByLabel("Description (optional)").fill("e2e receiver");
    await create.getByRole("checkbox", { name: /Every event/ }).check();
    await create.getByRole("button", { name: "Create endpoint" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Webhook endpoint created" });
    expect(await secretDialog.getByLabel("Secret").inputValue()).toMatch(/^whsec_/);
    await secretDialog.getByRole("button", { name: /close$/ }).click();
    await page.getByRole("rowheader", { name: /e2e receiver/ }).waitFor();

    // An event while the receiver refuses: one attempt (maxAttempts 1), failed.
    const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "Webhook Co" });
    const key = await stack.admin<{ secret: string }>("POST", `/v1/consumers/${consumer.body.id}/keys`, {
      name: "hooked",
    });
    expect(key.status).toBe(201);
    const deliveries = page.getByRole("region", { name: /^Deliveries to / });
    await deliveries
      .getByRole("row", { name: /key\.created/ })
      .getByText("Failed")
      .waitFor({ timeout: 15_000 });
    expect(received.length).toBe(1);
    expect(received[0]?.signature).toMatch(/^v1,/);
    expect(received[0]?.body).toContain('"type":"key.created"');
    expect(received[0]?.body).not.toContain(key.body.secret);

    // The receiver is fixed; redelivery from the dashboard succeeds.
    receiverStatus = 204;
    const before = received.length;
    await deliveries.getByRole("button", { name: /^Redeliver key\.created/ }).click();
    await deliveries.getByText("Redelivery of key.created queued.").waitFor();
    await deliveries
      .getByRole("row", { name: /key\.created/ })
      .getByText("Delivered")
      .waitFor({ timeout: 15_000 });
    expect(received.length).toBeGreaterThan(before);
    expect(pageErrors).toEqual([]);
  });
});
