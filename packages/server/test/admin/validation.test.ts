import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, sqliteBackend } from "./support/admin-harness.ts";
import { expectDeclared, expectProblem } from "./support/declared.ts";

describe("admin API input validation and framework errors", () => {
  let h: Harness;
  let consumerId: string;
  let keyId: string;
  let secret: string;

  beforeAll(async () => {
    h = await createHarness();
    consumerId = expectDeclared<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Acme" } }),
      "createConsumer",
      201,
    ).id;
    const created = expectDeclared<{ key: { id: string }; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumerId}/keys`, body: { name: "k" } }),
      "createKey",
      201,
    );
    keyId = created.key.id;
    secret = created.secret;
  });
  afterAll(async () => {
    await h.close();
  });

  it("reports every problem of params, query and body at once", async () => {
    const before = await h.auditLength();
    const problem = expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/keys/not-a-key/rotate?wait=maybe&colour=blue",
        body: { overlapSeconds: -1, retire: "never", idleSeconds: "15", extra: true },
      }),
      400,
      "VALIDATION_FAILED",
    );
    const paths = problem.errors?.map((e) => e.path).sort();
    expect(paths).toEqual([
      "/body/extra",
      "/body/idleSeconds",
      "/body/overlapSeconds",
      "/body/retire",
      "/params/id",
      "/query/colour",
      "/query/wait",
    ]);
    expect(problem.detail).toBe("The request has 7 invalid fields; see errors.");
    expect(await h.auditLength()).toBe(before);
  });

  it("accepts a fractional overlap (a rehearsal) with millisecond precision", async () => {
    const consumer = expectDeclared<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Rehearsal" } }),
      "createConsumer",
      201,
    );
    const key = expectDeclared<{ key: { id: string }; secret: string }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } }),
      "createKey",
      201,
    );
    h.secrets.push(key.secret);
    const rotated = expectDeclared<{ rotation: { sunsetAt: string }; secret: string }>(
      await h.call({ method: "POST", url: `/v1/keys/${key.key.id}/rotate`, body: { overlapSeconds: 1.5 } }),
      "rotateKey",
      201,
    );
    h.secrets.push(rotated.secret);
    expect(Date.parse(rotated.rotation.sunsetAt) - h.clock.now()).toBe(1500);
  });

  it("rejects unknown, missing and badly typed body fields of a consumer together", async () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } };
    const problem = expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: {
          plan: "Not A Plan",
          metadata: deep,
          rotationPolicy: { overlapSeconds: "1h" },
          disabled: false,
        },
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      "/body/disabled",
      "/body/metadata",
      "/body/name",
      "/body/plan",
      "/body/rotationPolicy/overlapSeconds",
    ]);
  });

  it("refuses control characters and NUL in text and metadata", async () => {
    const problem = expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: { name: "a\u0000b", metadata: { note: "x\u0000" } },
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(["/body/metadata", "/body/name"]);
  });

  it("requires at least one field in a consumer patch, and a future expiry for a key", async () => {
    expectProblem(
      await h.call({ method: "PATCH", url: `/v1/consumers/${consumerId}`, body: {} }),
      400,
      "VALIDATION_FAILED",
    );
    const past = expectProblem(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "old", expiresAt: "2001-01-01T00:00:00Z" },
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(past.errors).toEqual([{ path: "/body/expiresAt", message: "must lie in the future" }]);
    const notIso = expectProblem(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys`,
        body: { name: "x", expiresAt: "tomorrow" },
      }),
      400,
      "VALIDATION_FAILED",
    );
    expect(notIso.errors?.[0]?.path).toBe("/body/expiresAt");
  });

  it("a malformed verify body is a 400 that never echoes the key; an invalid key is a 200 result", async () => {
    const wrongType = expectProblem(
      await h.call({ method: "POST", url: "/v1/verify", body: { key: 12345, scopes: "read", cost: -1 } }),
      400,
      "VALIDATION_FAILED",
    );
    expect(wrongType.errors?.map((e) => e.path).sort()).toEqual(["/body/cost", "/body/key", "/body/scopes"]);
    const misplaced = await h.call({
      method: "POST",
      url: "/v1/verify",
      body: { secret, key: secret.slice(0, 10) },
    });
    expectProblem(misplaced, 400, "VALIDATION_FAILED");
    expect(misplaced.body).not.toContain(secret);
    const tooLong = await h.call({
      method: "POST",
      url: "/v1/verify",
      body: { key: `${secret}${"x".repeat(600)}` },
    });
    expectProblem(tooLong, 400, "VALIDATION_FAILED");
    expect(tooLong.body).not.toContain(secret);
    const invalid = await h.call({ method: "POST", url: "/v1/verify", body: { key: "kg_live_garbage" } });
    expect(invalid.statusCode).toBe(200);
    expect(JSON.parse(invalid.body)).toEqual({ valid: false, code: "KEY_MALFORMED" });
  });

  it("bad JSON is VALIDATION_FAILED without quoting the body", async () => {
    const response = await h.call({ method: "POST", url: "/v1/verify", body: `{"key": "${secret}"` });
    const problem = expectProblem(response, 400, "VALIDATION_FAILED");
    expect(problem.detail).toBe("The request body is not valid JSON.");
    expect(response.body).not.toContain(secret);
  });

  it("refuses prototype poisoning", async () => {
    expectProblem(
      await h.call({ method: "POST", url: "/v1/consumers", body: '{"name":"x","__proto__":{"admin":true}}' }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await h.call({
        method: "POST",
        url: "/v1/consumers",
        body: '{"name":"x","constructor":{"prototype":{"a":1}}}',
      }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("a body over the limit is 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await h.call({
      method: "POST",
      url: "/v1/consumers",
      body: { name: "x".repeat(70 * 1024) },
    });
    expect(expectProblem(response, 413, "PAYLOAD_TOO_LARGE").detail).toContain("65536");
  });

  it("a content type other than JSON is VALIDATION_FAILED", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const problem = expectProblem(
        await h.call({
          method: "POST",
          url: "/v1/consumers",
          body: "name=x",
          headers: { "content-type": type },
        }),
        400,
        "VALIDATION_FAILED",
      );
      expect(problem.errors).toEqual([
        { path: "/headers/content-type", message: "must be application/json" },
      ]);
    }
  });

  it("an empty JSON body counts as none on routes without a body", async () => {
    const rotated = await h.call({
      method: "POST",
      url: `/v1/keys/${keyId}/rotate`,
      headers: { "content-type": "application/json" },
    });
    expect(rotated.statusCode).toBe(201);
    h.secrets.push((JSON.parse(rotated.body) as { secret: string }).secret);
    const rotationId = (JSON.parse(rotated.body) as { rotation: { id: string } }).rotation.id;
    expectProblem(
      await h.call({ method: "POST", url: `/v1/rotations/${rotationId}/complete`, body: { now: true } }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("unknown routes and methods are 404 NOT_FOUND with the path as instance", async () => {
    const problem = expectProblem(await h.call({ method: "GET", url: "/v1/nothing?x=1" }), 404, "NOT_FOUND");
    expect(problem.instance).toBe("/v1/nothing");
    expectProblem(await h.call({ method: "DELETE", url: "/v1/consumers" }), 404, "NOT_FOUND");
    const head = await h.call({ method: "HEAD", url: "/v1/consumers" });
    expect(head.statusCode).toBe(404);
    expect(head.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("bad percent-encoding, over-long ids and repeated query keys are VALIDATION_FAILED", async () => {
    expectProblem(await h.call({ method: "GET", url: "/v1/keys/%E0%A4%A" }), 400, "VALIDATION_FAILED");
    expectProblem(
      await h.call({ method: "GET", url: `/v1/keys/key_${"a".repeat(100)}` }),
      400,
      "VALIDATION_FAILED",
    );
    const repeated = expectProblem(
      await h.call({ method: "GET", url: "/v1/keys?status=active&status=revoked" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(repeated.errors?.[0]?.path).toBe("/query/status");
    expectProblem(await h.call({ method: "GET", url: "/v1/consumers?limit=0" }), 400, "VALIDATION_FAILED");
    expectProblem(await h.call({ method: "GET", url: "/v1/consumers?limit=1001" }), 400, "VALIDATION_FAILED");
    expectProblem(await h.call({ method: "GET", url: "/v1/audit?after=abc" }), 400, "VALIDATION_FAILED");
  });

  it("a secret in the path is redacted from the problem's instance", async () => {
    const response = await h.call({ method: "GET", url: `/v1/keys/${secret}` });
    const problem = expectProblem(response, 400, "VALIDATION_FAILED");
    expect(problem.instance).toBe("/v1/keys/kg_live_…");
    expect(response.body).not.toContain(secret);
  });

  it("an admin-token lookup the store cannot answer is 503 STORE_UNAVAILABLE, not a 401", async () => {
    const down = await createHarness({ backend: sqliteBackend });
    try {
      await down.store.close();
      expectProblem(await down.call({ method: "GET", url: "/v1/plans" }), 503, "STORE_UNAVAILABLE");
    } finally {
      await down.close().catch(() => undefined);
    }
  });

  it("readiness failure is 503 STORE_UNAVAILABLE with Retry-After", async () => {
    const down = await createHarness({ ready: async () => false });
    try {
      const response = await down.call({ method: "GET", url: "/readyz", token: null });
      expectProblem(response, 503, "STORE_UNAVAILABLE");
      expect(response.headers["retry-after"]).toBe("1");
    } finally {
      await down.close();
    }
  });
});

describe("admin API unexpected errors", () => {
  it("a route meeting a closed store answers 503 STORE_UNAVAILABLE", async () => {
    const h = await createHarness({ backend: sqliteBackend });
    try {
      // The token lookup is cached for a few seconds, so the route itself meets the closed store.
      expect((await h.call({ method: "GET", url: "/v1/plans" })).statusCode).toBe(200);
      await h.store.close();
      expectProblem(await h.call({ method: "GET", url: "/v1/plans" }), 503, "STORE_UNAVAILABLE");
    } finally {
      await h.close().catch(() => undefined);
    }
  });

  it("an unknown error is 500 INTERNAL with a generic detail, logged in full with the request id", async () => {
    const lines: string[] = [];
    const { pino } = await import("pino");
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const h = await createHarness({
      logger,
      metrics: async () => {
        throw new Error("collector exploded at /srv/keygate/metrics.ts:42");
      },
    });
    try {
      const response = await h.call({ method: "GET", url: "/metrics", token: null });
      const problem = expectProblem(response, 500, "INTERNAL");
      expect(problem.detail).toBe("An unexpected error occurred; it has been logged.");
      expect(response.body).not.toContain("collector exploded");
      const requestId = response.headers["x-request-id"];
      const logged = lines.map(
        (l) => JSON.parse(l) as { reqId?: string; msg?: string; err?: { message?: string; stack?: string } },
      );
      const entry = logged.find((l) => l.msg === "unhandled error on the admin port");
      expect(entry?.reqId).toBe(requestId);
      expect(entry?.err?.message).toBe("collector exploded at /srv/keygate/metrics.ts:42");
      expect(entry?.err?.stack).toContain("Error: collector exploded");
    } finally {
      await h.close();
    }
  });
});
