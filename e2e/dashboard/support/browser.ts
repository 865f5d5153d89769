import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoRoot } from "../../support/spawn-process.ts";

/** Debian's Chromium (apt), never a downloaded browser. */
export const CHROMIUM_PATH = process.env.KEYGATE_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser suites cannot run here, or null when they can. Under CI=true a missing browser is a failure. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.env.CI === "true") throw new Error(`chromium not installed at ${CHROMIUM_PATH} (CI=true)`);
  return "skipped: chromium not installed";
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const DASHBOARD_DIST = join(repoRoot, "packages", "dashboard", "dist");

/** The consumer portal: the same package's second Vite entry. */
export const PORTAL_DIST = join(repoRoot, "packages", "dashboard", "dist-portal");

const DASHBOARD_SOURCES = [
  "src",
  "public",
  "index.html",
  "portal.html",
  "vite.config.ts",
  "vite.portal.config.ts",
].map((part) => join(repoRoot, "packages", "dashboard", part));

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/**
 * Builds the dashboard and the portal when either build is missing (before
 * `npm ci`'s prepare ran) or older than their sources.
 */
export function ensureDashboardBuilt(): void {
  const newest = Math.max(...DASHBOARD_SOURCES.map(newestChange));
  const fresh = [join(DASHBOARD_DIST, "index.html"), join(PORTAL_DIST, "index.html")].every(
    (index) => existsSync(index) && statSync(index).mtimeMs >= newest,
  );
  if (fresh) return;
  execFileSync("npm", ["run", "build", "-w", "@keygate/dashboard"], { cwd: repoRoot, stdio: "ignore" });
}

/** Signs in through the login form, as an operator would. */
export async function signIn(page: Page, adminUrl: string, token: string): Promise<void> {
  await page.goto(`${adminUrl}/`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
}
