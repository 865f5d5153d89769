/**
 * `npm start`: the bundled market-data upstream, one keygate node (admin API,
 * dashboard and gateway) on SQLite, and a seeded demo consumer.
 *
 * The demo keeps its admin token and its demo key in ./data (mode 0600) so a
 * restart prints them again; a real deployment sets KEYGATE_ADMIN_TOKEN from a
 * secrets manager and never stores a consumer's secret.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseKeySecret } from "@keygate/core";
import { createMarketDataServer } from "@keygate/example-market-data";
import { loadConfig } from "../packages/server/src/config/load-config.ts";
import { cryptoRandom } from "../packages/server/src/platform/node-platform.ts";
import { createConsumer } from "../packages/server/src/services/consumers.ts";
import { issueKey } from "../packages/server/src/services/issue-key.ts";
import { createPortalLink } from "../packages/server/src/services/portal-sign-in.ts";
import { startKeygate } from "../packages/server/src/start-keygate.ts";
import { plural, windowInWords } from "../packages/server/src/text/plural.ts";

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = resolve(process.env.KEYGATE_DEMO_DATA ?? "data");
const upstreamPort = Number(process.env.DEMO_UPSTREAM_PORT ?? 9090);

function readSecretFile(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8").trim() || undefined : undefined;
}

function writeSecretFile(path: string, value: string): void {
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function demoAdminToken(): string {
  const path = join(dataDir, "demo-admin-token");
  const existing = process.env.KEYGATE_ADMIN_TOKEN ?? readSecretFile(path);
  if (existing) return existing;
  const token = `kga_${Buffer.from(cryptoRandom.bytes(30)).toString("base64url")}`;
  writeSecretFile(path, token);
  return token;
}

mkdirSync(dataDir, { recursive: true });
const upstream = createMarketDataServer();
const { port } = await upstream.listen(upstreamPort, "127.0.0.1");
const adminToken = demoAdminToken();
const config = loadConfig({
  KEYGATE_DATABASE_URL: `sqlite:${join(dataDir, "keygate.db")}`,
  KEYGATE_CONFIG: join(here, "demo-config.yaml"),
  KEYGATE_LOG_LEVEL: "warn",
  ...process.env,
  KEYGATE_UPSTREAM: `http://127.0.0.1:${port}`,
  KEYGATE_ADMIN_TOKEN: adminToken,
});
const node = await startKeygate({ config });
const { deps } = node;

const keyFile = join(dataDir, "demo-key");
let demoKey = readSecretFile(keyFile);
const known =
  demoKey !== undefined && parseKeySecret(demoKey).ok
    ? await deps.store.findKeyByHash(deps.hasher.sha256Hex(demoKey))
    : null;
let demoConsumerId = known?.consumer.id;
if (!known) {
  const actor = { type: "system", id: "demo-seed" } as const;
  const consumer = await createConsumer(deps, actor, {
    name: "Demo Trader",
    email: "trader@example.com",
    plan: "free",
    metadata: { seeded: true },
  });
  demoConsumerId = consumer.id;
  await issueKey(deps, actor, consumer.id, { name: "Development", scopes: ["read"], env: "test" });
  const production = await issueKey(deps, actor, consumer.id, {
    name: "Production",
    scopes: ["read", "trade"],
  });
  demoKey = production.secret;
  writeSecretFile(keyFile, demoKey);
}

// The demo consumer's plan as the config defines it: "1 request per minute".
const freeRate = config.plans.free?.rateLimit;
const freePlan =
  freeRate === null || freeRate === undefined
    ? "plan free"
    : `plan free: ${plural(freeRate.limit, "request")} per ${windowInWords(freeRate.windowSeconds)}`;

// A fresh one-time portal link at every start, as a provider's site would make at sign-in.
const portalLink =
  demoConsumerId === undefined || node.portalUrl === undefined
    ? undefined
    : await createPortalLink(deps, { type: "system", id: "demo" }, demoConsumerId, {
        ttlSeconds: 3600,
        portalUrl: config.portalUrl,
      });

process.stdout.write(
  [
    "",
    "keygate demo is running",
    `  dashboard      ${node.adminUrl}/   (log in with the admin token)`,
    `  admin API      ${node.adminUrl}/v1   (OpenAPI: ${node.adminUrl}/docs)`,
    `  gateway        ${node.gatewayUrl}   → market-data upstream http://127.0.0.1:${port}`,
    `  portal         ${node.portalUrl}/   (the API's users: their own keys and usage)`,
    ...(portalLink === undefined
      ? []
      : [`  portal sign-in ${portalLink.url}   (one-time link for "Demo Trader", valid 1 hour)`]),
    `  admin token    ${adminToken}`,
    `  demo key       ${demoKey}   (consumer "Demo Trader", ${freePlan})`,
    "",
    "Try it:",
    `  curl -i -H "x-api-key: ${demoKey}" "${node.gatewayUrl}/v2/daily-ohlcv?symbol=ETH"`,
    `  KEYGATE_ADMIN_TOKEN=${adminToken} npx keygate keys list`,
    "",
    "Ctrl-C stops everything.",
    "",
  ].join("\n"),
);

const stop = async () => {
  await node.close();
  await upstream.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
