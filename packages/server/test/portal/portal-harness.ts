import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "@keygate/core";
import pino from "pino";
import { loadConfig } from "../../src/config/load-config.ts";
import { type RunningNode, startKeygate } from "../../src/start-keygate.ts";

/** A clock the test moves forward; every part of the node reads it. */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface PortalNode {
  readonly node: RunningNode;
  readonly clock: ShiftedClock;
  readonly adminUrl: string;
  readonly portalUrl: string;
  readonly gatewayUrl: string;
  /** Every log line the node wrote, as text. */
  readonly logs: () => string;
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = "kga_portal_test_token_0123456789abcdef";

const CONFIG = {
  routes: [
    { method: "POST", path: "/v2/orders", scopes: ["trade"], cost: 1 },
    { method: "GET", path: "/v2/*", scopes: ["read"], cost: 1 },
  ],
  plans: {
    free: {
      rateLimit: { limit: 100, windowSeconds: 60 },
      quota: { limit: 5000, period: "month" },
      scopes: ["read"],
    },
    pro: { rateLimit: { limit: 600, windowSeconds: 60 }, quota: null },
  },
  portal: {
    maxKeysPerConsumer: 3,
    maxOverlapSeconds: 86_400,
    loginLinksPerAddressPerHour: 3,
    loginLinksPerIpPerHour: 10,
  },
  jobs: { leaseTtlMs: 1000 },
  mail: { pollIntervalMs: 50, retryScheduleSeconds: [0.2], timeoutMs: 2000 },
};

/** One in-process keygate node (every port) on a real SQLite file, with real HTTP on loopback. */
export async function startPortalNode(
  env: Record<string, string> = {},
  upstream = "http://127.0.0.1:9",
): Promise<PortalNode> {
  const dir = mkdtempSync(join(tmpdir(), "keygate-portal-"));
  const configFile = join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(CONFIG));
  const clock = new ShiftedClock();
  let text = "";
  const logger = pino(
    { level: "info" },
    {
      write(line: string) {
        text += line;
      },
    },
  );
  const config = loadConfig({
    KEYGATE_DATABASE_URL: `sqlite:${join(dir, "keygate.db")}`,
    KEYGATE_ADMIN_PORT: "0",
    KEYGATE_GATEWAY_PORT: "0",
    KEYGATE_AUTHZ_PORT: "0",
    KEYGATE_PORTAL_PORT: "0",
    KEYGATE_UPSTREAM: upstream,
    KEYGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    KEYGATE_CONFIG: configFile,
    ...env,
  });
  const node = await startKeygate({ config, clock, logger });
  const { adminUrl, portalUrl, gatewayUrl } = node;
  if (adminUrl === undefined || portalUrl === undefined || gatewayUrl === undefined)
    throw new Error("ports missing");
  return {
    node,
    clock,
    adminUrl,
    portalUrl,
    gatewayUrl,
    logs: () => text,
    async admin<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${adminUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? null : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    },
    async close() {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in browser, as far as HTTP goes: the session cookie and the CSRF token. */
export interface PortalSessionClient {
  readonly cookie: string;
  readonly csrf: string;
  get(path: string): Promise<Response>;
  /** A change, with the CSRF header unless `csrf: false`. */
  send(
    method: string,
    path: string,
    body?: unknown,
    options?: { csrf?: boolean | string },
  ): Promise<Response>;
}

export function sessionClient(portalUrl: string, cookie: string, csrf: string): PortalSessionClient {
  return {
    cookie,
    csrf,
    get: (path) => fetch(`${portalUrl}${path}`, { headers: { cookie } }),
    send(method, path, body = {}, options = {}) {
      const header: Record<string, string> =
        options.csrf === false
          ? {}
          : { "x-keygate-csrf": typeof options.csrf === "string" ? options.csrf : csrf };
      return fetch(`${portalUrl}${path}`, {
        method,
        headers: { cookie, "content-type": "application/json", ...header },
        body: JSON.stringify(body),
      });
    },
  };
}

/** The token inside a sign-in link (`…/login/<token>`). */
export function tokenOf(url: string): string {
  const token = url.split("/login/")[1];
  if (token === undefined) throw new Error(`not a sign-in link: ${url}`);
  return token;
}

/** Spends a sign-in link token; returns the session client. */
export async function redeem(portalUrl: string, token: string): Promise<PortalSessionClient> {
  const res = await fetch(`${portalUrl}/portal/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const me = (await (await fetch(`${portalUrl}/portal/v1/me`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  return sessionClient(portalUrl, cookie, me.csrfToken);
}

/** A consumer made through the admin API, signed in through a hand-off link. */
export async function consumerSession(
  t: PortalNode,
  input: { name: string; email?: string; plan?: string },
): Promise<{ id: string; client: PortalSessionClient }> {
  const created = await t.admin<{ id: string }>("POST", "/v1/consumers", input);
  if (created.status !== 201) throw new Error(`consumer: ${created.status} ${JSON.stringify(created.body)}`);
  const link = await t.admin<{ url: string }>("POST", `/v1/consumers/${created.body.id}/portal-links`, {});
  return { id: created.body.id, client: await redeem(t.portalUrl, tokenOf(link.body.url)) };
}
