/**
 * `keygate start --role authz`: forward auth alone, no upstream needed, no
 * admin or gateway port; its metrics on the internal listener only
 * (security review, finding 7).
 */
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { type RunningNode, startKeygate } from "../../src/start-keygate.ts";

describe("role authz", () => {
  let node: RunningNode;

  beforeAll(async () => {
    const config = loadConfig(
      {
        KEYGATE_DATABASE_URL: "memory:",
        KEYGATE_AUTHZ_PORT: "0",
        KEYGATE_METRICS_PORT: "0",
        KEYGATE_ADMIN_TOKEN: "kga_role_authz_test_0123456789abcdef",
      },
      "authz",
    );
    node = await startKeygate({ config, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await node?.close();
  });

  it("serves forward auth without KEYGATE_UPSTREAM, and no admin, gateway or portal port", async () => {
    expect(node.authzUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node.adminUrl).toBeUndefined();
    expect(node.gatewayUrl).toBeUndefined();
    expect(node.portalUrl).toBeUndefined();
    expect((await fetch(`${node.authzUrl}/readyz`)).status).toBe(200);
    const refused = await fetch(`${node.authzUrl}/authz`, { headers: { "x-forwarded-uri": "/v2/x" } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "KEY_MISSING", instance: "/v2/x" });
  });

  it("serves the node's metrics, forward auth's counters included, on the internal listener only", async () => {
    expect(node.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = await (await fetch(`${node.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/^keygate_authz_requests_total\{outcome="KEY_MISSING"\} [1-9]/m);
    expect(text).toContain("# TYPE keygate_verifications_total counter");
    // /metrics on the authz port is a question like any other: no key, 401.
    expect((await fetch(`${node.authzUrl}/metrics`)).status).toBe(401);
  });
});
