/**
 * The gateway of `gateway.ts` whose key carries (`on`) or not (`off`) a
 * 50-entry IP allowlist. The loopback client is the list's last entry, so
 * every request walks the whole list: the worst case of the matcher.
 * Usage: allowlist-gateway.ts <upstream-url> on|off
 */
import { nodeHasher, systemClock } from "../../packages/server/src/platform/node-platform.ts";
import { MemoryKeyStore } from "../../packages/server/src/store/memory/memory-key-store.ts";
import { UsageRecorder } from "../../packages/server/src/usage/usage-recorder.ts";
import { normalizeAllowedIps } from "../../packages/server/src/verify/ip-allowlist.ts";
import { Verifier } from "../../packages/server/src/verify/verifier.ts";
import { seedOneKey } from "../lib/bench-key-world.ts";
import { benchRoutes, serveBenchGateway } from "../lib/gateway-process.ts";

const [upstream, mode] = process.argv.slice(2);
if (upstream === undefined || (mode !== "on" && mode !== "off")) {
  throw new Error("usage: allowlist-gateway.ts <upstream-url> on|off");
}

/** 49 documentation and private ranges (half of them IPv6), then 127.0.0.1. */
function fiftyEntries(): string[] {
  const entries: string[] = [];
  for (let i = 0; i < 25; i++) entries.push(`10.${i}.0.0/16`);
  for (let i = 0; i < 24; i++) entries.push(`2001:db8:${(i + 1).toString(16)}::/48`);
  entries.push("127.0.0.1/32");
  const normalized = normalizeAllowedIps(entries, 50);
  if (!normalized.ok) throw new Error(JSON.stringify(normalized.problems));
  return [...normalized.cidrs];
}

const store = new MemoryKeyStore({ hasher: nodeHasher });
const secret = await seedOneKey(store, {
  scopes: ["read"],
  ...(mode === "on" ? { allowedIps: fiftyEntries() } : {}),
});

await serveBenchGateway(
  {
    verifier: new Verifier({ store, clock: systemClock, hasher: nodeHasher }),
    upstream,
    routes: benchRoutes(),
    usage: new UsageRecorder({ store }),
  },
  secret,
);
