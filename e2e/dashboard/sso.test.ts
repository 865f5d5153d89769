import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ReservedOidcProvider,
  reserveTestOidcProvider,
} from "../../packages/server/test/support/oidc-test-provider.ts";
import { requireServiceInCi, skipSuite } from "../../packages/server/test/support/postgres.ts";
import { type KeygateStack, startStack } from "../support/keygate-stack.ts";
import { chromiumMissing, ensureDashboardBuilt, launchChromium } from "./support/browser.ts";

/**
 * Single sign-on in Chromium against a real OpenID provider (`oidc-provider`
 * on loopback, its own login and consent forms) and a real keygate node:
 * the person's group maps to a role, what they do is audited under their
 * email, a change without the CSRF header fails, and signing out ends the
 * session on the server (the old cookie is refused).
 */
const missing = chromiumMissing();

const PEOPLE = [
  { login: "otto", email: "otto@example.com", groups: ["keygate-operators"] },
  { login: "vera", email: "vera@example.com", groups: ["keygate-viewers"] },
  { login: "nobody", email: "nobody@example.com", groups: ["staff"] },
];

if (missing !== null) {
  skipSuite(requireServiceInCi(missing));
} else {
  describe("dashboard: single sign-on through a real OpenID provider (Chromium)", () => {
    let provider: ReservedOidcProvider;
    let stack: KeygateStack;
    let browser: Browser;
    let configDir: string;

    beforeAll(async () => {
      ensureDashboardBuilt();
      provider = await reserveTestOidcProvider();
      configDir = mkdtempSync(join(tmpdir(), "keygate-sso-"));
      const configFile = join(configDir, "keygate.json");
      writeFileSync(
        configFile,
        JSON.stringify({
          oidc: {
            roleClaim: "groups",
            roles: {
              admin: ["keygate-admins"],
              operator: ["keygate-operators"],
              viewer: ["keygate-viewers"],
            },
            scopes: ["openid", "email", "groups"],
          },
        }),
      );
      [stack, browser] = await Promise.all([
        startStack({
          configFile,
          env: {
            KEYGATE_OIDC_ISSUER: provider.issuer,
            KEYGATE_OIDC_CLIENT_ID: provider.clientId,
            KEYGATE_OIDC_CLIENT_SECRET: provider.clientSecret,
          },
        }),
        launchChromium(),
      ]);
      // Without oidc.redirectUrl the callback is the admin port on KEYGATE_HOST.
      provider.serve([`${stack.adminUrl}/auth/callback`], PEOPLE);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      await provider?.close();
      if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
    });

    /** From the dashboard's login page through the provider's forms, back to the dashboard as `login`. */
    async function signInWithSso(page: Page, login: string): Promise<void> {
      await page.goto(`${stack.adminUrl}/`);
      await page.getByRole("link", { name: "Sign in with SSO" }).click();
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill("any password");
      await page.getByRole("button", { name: "Sign-in" }).click();
      await page.getByRole("button", { name: "Continue" }).click();
    }

    async function sessionCookie(context: BrowserContext) {
      const cookie = (await context.cookies(stack.adminUrl)).find((c) => c.name === "keygate_admin");
      if (cookie === undefined) throw new Error("no session cookie");
      return cookie;
    }

    it("an operator signs in at the provider, creates a consumer audited under their email, is refused a change without the CSRF header, and signs out for good", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signInWithSso(page, "otto");
        await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
        await page.locator('.shell[data-role="operator"]').waitFor();
        expect(new URL(page.url()).origin).toBe(stack.adminUrl);
        // The cookie: script cannot read it, other sites' requests do not carry it.
        const cookie = await sessionCookie(context);
        expect(cookie.httpOnly).toBe(true);
        expect(cookie.sameSite).toBe("Strict");
        expect(await page.evaluate(() => document.cookie)).not.toContain("keygate_admin");
        // An operator has no admin tokens page, and the API refuses it.
        expect(await page.getByRole("link", { name: "Admin tokens" }).count()).toBe(0);
        const tokensStatus = await page.evaluate(async () => (await fetch("/v1/admin-tokens")).status);
        expect(tokensStatus).toBe(403);

        // A change from the dashboard (which sends the CSRF header) works and is audited with the email.
        await page.getByRole("link", { name: "Consumers" }).click();
        await page.getByRole("button", { name: "New consumer" }).click();
        await page.getByRole("dialog", { name: "New consumer" }).getByLabel("Name").fill("SSO Corp");
        await page.getByRole("button", { name: "Create consumer" }).click();
        await page.getByRole("heading", { level: 1, name: "SSO Corp" }).waitFor();
        await page.getByRole("link", { name: "Audit log" }).click();
        const row = page.getByRole("row").filter({ hasText: "consumer.create" }).first();
        await row.waitFor();
        expect(await row.textContent()).toContain("otto@example.com");

        // The same change with the cookie but without the header (what a forged request could do) fails.
        const forged = await page.evaluate(async () => {
          const response = await fetch("/v1/consumers", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "forged" }),
          });
          return { status: response.status, body: (await response.json()) as { code: string } };
        });
        expect(forged).toMatchObject({ status: 403, body: { code: "CSRF_FAILED" } });

        // Signing out ends the session on the server: the old cookie is refused afterwards.
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.getByRole("link", { name: "Sign in with SSO" }).waitFor();
        const old = await fetch(`${stack.adminUrl}/v1/me`, {
          headers: { cookie: `keygate_admin=${cookie.value}` },
        });
        expect(old.status).toBe(401);
        const audit = await stack.admin<{ data: { action: string; actor: { name?: string } }[] }>(
          "GET",
          "/v1/audit?limit=200",
        );
        expect(
          audit.body.data.filter((e) => e.actor.name === "otto@example.com").map((e) => e.action),
        ).toEqual(
          expect.arrayContaining(["operator_session.create", "consumer.create", "operator_session.end"]),
        );
        expect(audit.body.data.some((e) => JSON.stringify(e).includes("forged"))).toBe(false);
      } finally {
        await context.close();
      }
    }, 90_000);

    it("a viewer signs in and finds no control that changes state", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signInWithSso(page, "vera");
        await page.locator('.shell[data-role="viewer"]').waitFor();
        await page.getByRole("link", { name: "Consumers" }).click();
        await page.getByRole("link", { name: "SSO Corp" }).waitFor();
        expect(await page.getByRole("button", { name: "New consumer" }).count()).toBe(0);
        // A reload keeps the person signed in (the cookie, not the tab's storage).
        await page.reload();
        await page.locator('.shell[data-role="viewer"]').waitFor();
      } finally {
        await context.close();
      }
    }, 60_000);

    it("a person with no mapped group is refused with a page that says why", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signInWithSso(page, "nobody");
        await page.getByRole("heading", { level: 1, name: "Sign-in refused" }).waitFor();
        expect(await page.locator("#reason").textContent()).toContain("nobody@example.com");
        expect((await context.cookies(stack.adminUrl)).some((c) => c.name === "keygate_admin")).toBe(false);
      } finally {
        await context.close();
      }
    }, 60_000);
  });
}
