import type { LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHasher } from "../../src/platform/node-platform.ts";
import { createHarness, type Harness, sqliteBackend } from "./support/admin-harness.ts";

/** The routes whose answer carries exactly one secret: the one they just minted. */
const MINTING = new Set(["createKey", "rotateKey", "selfRotate"]);

interface Recorded {
  readonly operation: string;
  readonly response: LightMyRequestResponse;
  /** The secret this answer minted, if any. */
  readonly minted?: string;
}

describe("secrets never leave through answers or logs", () => {
  const lines: string[] = [];
  const recorded: Recorded[] = [];
  let h: Harness;

  const record = async (operation: string, response: Promise<LightMyRequestResponse>) => {
    const res = await response;
    const body = res.body === "" ? {} : (JSON.parse(res.body) as { secret?: string });
    if (typeof body.secret === "string") h.secrets.push(body.secret);
    recorded.push({
      operation,
      response: res,
      ...(typeof body.secret === "string" ? { minted: body.secret } : {}),
    });
    return body as Record<string, unknown> & {
      secret?: string;
      id?: string;
      key?: { id: string };
      rotation?: { id: string };
    };
  };

  beforeAll(async () => {
    const logger = pino({ level: "trace" }, { write: (line: string) => lines.push(line) });
    h = await createHarness({ backend: sqliteBackend, logger });
    const consumer = await record(
      "createConsumer",
      h.call({ method: "POST", url: "/v1/consumers", body: { name: "Acme" } }),
    );
    const created = await record(
      "createKey",
      h.call({
        method: "POST",
        url: `/v1/consumers/${consumer.id}/keys`,
        body: { name: "k", scopes: ["read"] },
      }),
    );
    const secret = created.secret ?? "";
    const keyId = created.key?.id ?? "";
    await record("verifyKey", h.call({ method: "POST", url: "/v1/verify", body: { key: secret } }));
    await record(
      "verifyKey",
      h.call({ method: "POST", url: "/v1/verify", body: { key: `${secret.slice(0, -1)}x` } }),
    );
    await record("getKey", h.call({ method: "GET", url: `/v1/keys/${keyId}` }));
    await record("listKeys", h.call({ method: "GET", url: "/v1/keys" }));
    const rotated = await record("rotateKey", h.call({ method: "POST", url: `/v1/keys/${keyId}/rotate` }));
    await record(
      "rollbackRotation",
      h.call({ method: "POST", url: `/v1/rotations/${rotated.rotation?.id}/rollback` }),
    );
    const self = await record(
      "selfRotate",
      h.call({ method: "POST", url: "/v1/self/rotate", token: null, headers: { "x-api-key": secret } }),
    );
    await record(
      "revokeKey",
      h.call({ method: "POST", url: `/v1/keys/${self.key?.id}/revoke`, body: { reason: "test" } }),
    );
    // Secrets where they do not belong: in paths, queries, wrong fields and wrong headers.
    await record("getKey", h.call({ method: "GET", url: `/v1/keys/${secret}` }));
    await record("listKeys", h.call({ method: "GET", url: `/v1/keys?consumerId=${secret}` }));
    await record("verifyKey", h.call({ method: "POST", url: "/v1/verify", body: { token: secret, key: 1 } }));
    await record("verifyKey", h.call({ method: "POST", url: "/v1/verify", body: `{"key":"${secret}"` }));
    await record("listPlans", h.call({ method: "GET", url: `/v1/plans?${h.rootToken}=1` }));
    await record("nothing", h.call({ method: "GET", url: `/v1/${h.rootToken}` }));
    await record("selfRotate", h.call({ method: "POST", url: "/v1/self/rotate", token: h.rootToken }));
    await record("listAudit", h.call({ method: "GET", url: "/v1/audit?limit=1000" }));
  });
  afterAll(async () => {
    await h.close();
  });

  it("answers carry no secret and no hash, except the one just minted by create/rotate/self-rotate", () => {
    expect(recorded.length).toBeGreaterThan(15);
    for (const { operation, response, minted } of recorded) {
      for (const secret of h.secrets) {
        if (secret === minted) continue;
        expect(response.body, `${operation} leaked a secret`).not.toContain(secret);
        expect(response.body, `${operation} leaked a hash`).not.toContain(nodeHasher.sha256Hex(secret));
      }
      if (minted !== undefined) expect(MINTING.has(operation), operation).toBe(true);
      // Only audit entries carry a `hash` (their own chain link).
      if (operation !== "listAudit") expect(response.body, operation).not.toContain('"hash"');
    }
    expect(recorded.filter((r) => r.minted !== undefined).map((r) => r.operation)).toEqual([
      "createKey",
      "rotateKey",
      "selfRotate",
    ]);
  });

  it("key views list exactly the documented fields", () => {
    const view = JSON.parse(recorded.find((r) => r.operation === "getKey")?.response.body ?? "{}") as object;
    expect(Object.keys(view).sort()).toEqual(
      [
        "id",
        "consumerId",
        "name",
        "scopes",
        "env",
        "lineageId",
        "version",
        "status",
        "hint",
        "createdAt",
        "expiresAt",
        "deprecatedAt",
        "sunsetAt",
        "revokedAt",
        "revokedReason",
        "lastUsedAt",
        "metadata",
        "createdBy",
        "allowedIps",
      ].sort(),
    );
  });

  it("no log line holds a secret, though every request was logged", () => {
    expect(lines.filter((l) => l.includes('"incoming request"')).length).toBe(recorded.length);
    for (const line of lines) {
      for (const secret of h.secrets) expect(line).not.toContain(secret);
    }
  });
});
