/**
 * `npm run cluster [-- --gateways N] [-- --admins N] [-- --all N]`
 *
 * Starts a keygate cluster on loopback to try multi-node mode: the bundled
 * market-data upstream, 1 admin node and 3 gateway nodes (`keygate start
 * --role admin|gateway`; `--all N` adds nodes with both ports, and makes
 * `--admins` default to 0), all on one PostgreSQL database and one Redis
 * prefix. Prints the URLs, the admin token and a demo key, then streams each
 * node's warnings and errors until Ctrl-C, when every process is stopped by
 * its PID.
 *
 * PostgreSQL: `KEYGATE_DATABASE_URL` if set (kept as it is), else a fresh
 * database on `KEYGATE_TEST_POSTGRES_URL` / postgres://root@127.0.0.1:5432/test
 * that is dropped on exit. Redis: `KEYGATE_REDIS_URL`, else redis://127.0.0.1:6379,
 * under a fresh prefix whose keys are deleted on exit.
 */
import { type ClusterNode, missingClusterServices, startCluster } from "../e2e/support/cluster.ts";

function count(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0 || value > 16) {
    console.error(`${name} must be an integer from 0 to 16`);
    process.exit(2);
  }
  return value;
}

const gateways = count("--gateways", 3);
const all = count("--all", 0);
const admins = count("--admins", all > 0 ? 0 : 1);
if (admins + all === 0) {
  console.error("at least one admin or all node is needed (--admins 1 or --all 1)");
  process.exit(2);
}
const redisUrl =
  process.env.KEYGATE_REDIS_URL ?? process.env.KEYGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const databaseUrl = process.env.KEYGATE_DATABASE_URL;

const missing = await missingClusterServices(redisUrl);
if (missing !== null && !(databaseUrl !== undefined && missing === "PostgreSQL")) {
  console.error(`cannot start the cluster: ${missing} not reachable (see docs/operations.md)`);
  process.exit(1);
}

console.log(`starting the upstream, ${admins} admin, ${all} all and ${gateways} gateway node(s)…`);
const cluster = await startCluster({
  gateways,
  admins,
  all,
  redisUrl,
  label: "npm_cluster",
  ...(databaseUrl === undefined ? {} : { databaseUrl }),
  env: { KEYGATE_LOG_LEVEL: process.env.KEYGATE_LOG_LEVEL ?? "warn" },
});

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping every node…");
  await cluster.stop();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  const consumer = await cluster.admin<{ id: string }>("POST", "/v1/consumers", { name: "demo" });
  const key = await cluster.admin<{ key: { id: string }; secret: string }>(
    "POST",
    `/v1/consumers/${consumer.body.id}/keys?wait=true`,
    { name: "demo" },
  );
  await cluster.waitForRegistry();
  const auth = `-H "authorization: Bearer ${cluster.adminToken}"`;
  const lines = [
    "",
    `keygate cluster — PostgreSQL ${databaseUrl === undefined ? "(fresh database, dropped on exit)" : "(KEYGATE_DATABASE_URL)"}, Redis prefix ${cluster.redisPrefix}`,
    "",
    ...cluster.nodes.map(
      (node: ClusterNode) =>
        `  ${node.name.padEnd(10)} pid ${String(node.pid).padEnd(7)} ${[node.adminUrl && `admin ${node.adminUrl}`, node.gatewayUrl && `gateway ${node.gatewayUrl}`].filter(Boolean).join("  ")}`,
    ),
    `  upstream   ${cluster.upstreamUrl}`,
    "",
    `Admin token: ${cluster.adminToken}`,
    `Dashboard:   ${cluster.adminUrl}/`,
    `Demo key:    ${key.body.secret}  (${key.body.key.id})`,
    "",
    "Try:",
    ...cluster.gateways.map(
      (g) => `  curl -s -H "x-api-key: ${key.body.secret}" "${g.gatewayUrl}/v2/trader-grades?symbol=ETH"`,
    ),
    `  curl -s ${auth} ${cluster.adminUrl}/v1/nodes`,
    `  curl -s -X POST ${auth} "${cluster.adminUrl}/v1/keys/${key.body.key.id}/revoke?wait=true"`,
    "",
    "Kill a gateway with `kill -9 <pid>` to watch the others carry on (it is not restarted here).",
    "Ctrl-C stops everything. Node warnings and errors follow.",
    "",
  ];
  console.log(lines.join("\n"));
} catch (error) {
  console.error(error);
  await stop(1);
}

// Stream what each node logs (warn and above by default), prefixed with its name.
const printed = new Map<string, number>();
setInterval(() => {
  for (const node of cluster.nodes) {
    const output = node.output();
    const from = printed.get(node.name) ?? 0;
    if (output.length <= from) continue;
    const fresh = output.slice(from);
    const end = fresh.lastIndexOf("\n") + 1;
    if (end === 0) continue;
    printed.set(node.name, from + end);
    for (const line of fresh.slice(0, end).split("\n"))
      if (line !== "") process.stdout.write(`[${node.name}] ${line}\n`);
  }
}, 500);
