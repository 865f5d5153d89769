import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServiceInCi, skipSuite } from "../../packages/server/test/support/postgres.ts";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { chromiumMissing, ensureDashboardBuilt, launchChromium, signIn } from "./support/browser.ts";

/**
 * The "Admin tokens" page in Chromium against a real node: an admin creates
 * a viewer token (secret shown once), the viewer signs in and finds no
 * control that changes state, the admin revokes it (with a confirmation) and
 * the viewer's session ends on its next call.
 */
const missing = chromiumMissing();

if (missing !== null) {
  skipSuite(requireServiceInCi(missing));
} else {
  describe("dashboard: admin tokens and roles (Chromium)", () => {
    let stack: KeygateStack;
    let browser: Browser;
    let admin: Page;
    let viewerSecret = "";

    beforeAll(async () => {
      ensureDashboardBuilt();
      [stack, browser] = await Promise.all([startStack(), launchChromium()]);
      const created = await stack.admin("POST", "/v1/consumers", { name: "acme" });
      expect(created.status).toBe(201);
      admin = await browser.newPage();
      await signIn(admin, stack.adminUrl, stack.adminToken);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    it("an admin creates a viewer token and sees its secret once", async () => {
      await admin.getByRole("link", { name: "Admin tokens" }).click();
      await admin.getByRole("heading", { level: 1, name: "Admin tokens" }).waitFor();
      await admin.getByTestId("admin-token-bootstrap").waitFor();
      await admin.getByRole("button", { name: "New admin token" }).click();
      await admin.getByLabel("Name").fill("read-only-auditor");
      await admin.getByLabel("Role").selectOption("viewer");
      await admin.getByRole("button", { name: "Create token" }).click();
      const secret = admin.getByTestId("secret-value");
      await secret.waitFor();
      viewerSecret = await secret.inputValue();
      expect(viewerSecret).toMatch(/^kga_[0-9A-Za-z]{40}$/);
      await admin.getByRole("button", { name: /I have stored it/ }).click();
      const row = admin.getByTestId("admin-token-read-only-auditor");
      await row.waitFor();
      expect(await row.textContent()).toContain("viewer");
      expect(await admin.content()).not.toContain(viewerSecret);
    }, 60_000);

    it("a viewer sees every page but no control that changes state", async () => {
      const viewer = await browser.newPage();
      try {
        await signIn(viewer, stack.adminUrl, viewerSecret);
        await viewer.locator('.shell[data-role="viewer"]').waitFor();
        await viewer.getByRole("link", { name: "Consumers" }).click();
        await viewer.getByRole("link", { name: "acme" }).waitFor();
        expect(await viewer.getByRole("button", { name: "New consumer" }).count()).toBe(0);
        await viewer.getByRole("link", { name: "acme" }).click();
        await viewer.getByRole("heading", { level: 1, name: "acme" }).waitFor();
        for (const name of ["New key", "Disable", "Edit email"])
          expect(await viewer.getByRole("button", { name }).count(), name).toBe(0);
        await viewer.getByRole("link", { name: "Plans" }).click();
        await viewer.getByRole("heading", { level: 1, name: "Plans" }).waitFor();
        expect(await viewer.getByRole("button", { name: /New plan/ }).count()).toBe(0);
        expect(await viewer.getByRole("link", { name: "Admin tokens" }).count()).toBe(0);
      } finally {
        await viewer.close();
      }
    }, 60_000);

    it("an admin revokes the token after confirming; the viewer is signed out on its next call", async () => {
      const viewer = await browser.newPage();
      try {
        await signIn(viewer, stack.adminUrl, viewerSecret);
        const row = admin.getByTestId("admin-token-read-only-auditor");
        await row.getByRole("button", { name: "Revoke" }).click();
        await admin.getByRole("button", { name: "Revoke token" }).click();
        await admin.waitForFunction(() =>
          document
            .querySelector('[data-testid="admin-token-read-only-auditor"]')
            ?.textContent?.includes("revoked"),
        );
        await viewer.getByRole("link", { name: "Consumers" }).click();
        await viewer.getByText(/refused \(revoked or wrong\)/).waitFor({ timeout: 15_000 });
        await viewer.getByLabel("Admin token").waitFor();
      } finally {
        await viewer.close();
      }
    }, 60_000);
  });
}
