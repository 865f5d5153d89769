import { errorCatalogue, isErrorCode } from "@keygate/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAdminRoutes, type RegisteredRoute } from "../../src/admin/admin-app.ts";
import {
  createHarness,
  type Harness,
  json,
  memoryBackend,
  type StoreBackend,
  sqliteBackend,
} from "./support/admin-harness.ts";
import { concreteUrl } from "./support/route-urls.ts";

/** Any UTF-16 code unit: NUL, controls, lone surrogates, astral halves. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const nasty = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 6000 }),
  fc.constantFrom(
    "",
    "\u0000",
    "..",
    "%",
    "%00",
    "%zz",
    "kg_live_",
    "con_",
    "key_",
    "null",
    "-1",
    "1e309",
    "__proto__",
  ),
);

function encodeSegment(text: string, raw: boolean): string {
  if (raw) return text;
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(
      /[^A-Za-z0-9]/g,
      (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").slice(-2)}`,
    );
  }
}

const deepArray = fc.integer({ min: 1, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
const deepObject = fc.integer({ min: 1, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`);
const plausible = fc
  .record(
    {
      name: fc.anything(),
      key: fc.anything(),
      scopes: fc.anything(),
      metadata: fc.anything(),
      overlapSeconds: fc.anything(),
      retire: fc.anything(),
      sunsetAt: fc.anything(),
      reason: fc.anything(),
      disabled: fc.anything(),
      plan: fc.anything(),
      rateLimit: fc.anything(),
      expiresAt: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value) ?? "null");
const body = fc.option(
  fc.oneof(
    plausible,
    fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? "null"),
    fc.string({ unit: codeUnit, maxLength: 200 }),
    deepArray,
    deepObject,
    fc.integer({ min: 60_000, max: 90_000 }).map((n) => JSON.stringify({ name: "x".repeat(n) })),
    fc.constantFrom(
      "",
      "null",
      "[]",
      "{}",
      '{"__proto__":{"x":1}}',
      '{"name":"a\\u0000b"}',
      "\u0000",
      "{",
      '"str"',
      "1",
    ),
  ),
  { nil: undefined },
);

interface Fixture {
  h: Harness;
  routes: readonly RegisteredRoute[];
  ids: string[];
  tokens: { root: string; read: string; revoked: string };
}

function requestArbitrary(fx: Fixture) {
  const idSegment = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...fx.ids) },
    { weight: 1, arbitrary: nasty },
  );
  return fc.record({
    route: fc.constantFrom(...fx.routes),
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") },
    ),
    params: fc.array(idSegment, { minLength: 2, maxLength: 2 }),
    rawPath: fc.oneof(
      { weight: 6, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    query: fc.option(
      fc.oneof(
        fc.array(
          fc.tuple(
            fc.oneof(nasty, fc.constantFrom("wait", "limit", "after", "status", "consumerId", "state")),
            nasty,
          ),
          {
            maxLength: 6,
          },
        ),
      ),
      { nil: undefined },
    ),
    body,
    authorization: fc.oneof(
      { weight: 6, arbitrary: fc.constant(`Bearer ${fx.tokens.root}`) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          undefined,
          `Bearer ${fx.tokens.read}`,
          `Bearer ${fx.tokens.revoked}`,
          `bearer ${fx.tokens.root}`,
          `Bearer  ${fx.tokens.root} `,
          "Bearer",
          `Basic ${fx.tokens.root}`,
        ),
      },
      { weight: 1, arbitrary: nasty.map((s) => `Bearer ${s}`) },
      { weight: 1, arbitrary: nasty },
    ),
    apiKey: fc.option(nasty, { nil: undefined }),
    contentType: fc.option(
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "text/plain",
        "application/jsonx",
        "multipart/form-data; boundary=x",
        "",
        "*/*",
      ),
      { nil: undefined },
    ),
  });
}

async function setUp(backend: StoreBackend): Promise<Fixture> {
  const h = await createHarness({ backend });
  const consumer = json<{ id: string }>(
    await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Fuzz" } }),
  );
  const created = json<{ key: { id: string }; secret: string }>(
    await h.call({ method: "POST", url: `/v1/consumers/${consumer.id}/keys`, body: { name: "k" } }),
  );
  const rotated = json<{ rotation: { id: string }; key: { id: string }; secret: string }>(
    await h.call({ method: "POST", url: `/v1/keys/${created.key.id}/rotate` }),
  );
  return {
    h,
    routes: listAdminRoutes(h.app),
    ids: [consumer.id, created.key.id, rotated.key.id, rotated.rotation.id, "pro", created.secret],
    tokens: { root: h.rootToken, read: h.readToken, revoked: h.revokedToken },
  };
}

describe.each<{ backend: StoreBackend; numRuns: number }>([
  { backend: memoryBackend, numRuns: 500 },
  { backend: sqliteBackend, numRuns: 200 },
])("admin API under malformed input ($backend.name store)", ({ backend, numRuns }) => {
  let fx: Fixture;
  let delivered = 0;
  let refusedByTransport = 0;

  beforeAll(async () => {
    fx = await setUp(backend);
  });
  afterAll(async () => {
    await fx.h.close();
  });

  it("never answers 5xx; every error is catalogued problem+json; a refused request changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary(fx), async (input) => {
        let params = 0;
        const path = concreteUrl(input.route, () =>
          encodeSegment(input.params[params++] ?? "", input.rawPath),
        );
        const query =
          input.query === undefined
            ? ""
            : `?${input.query.map(([k, v]) => `${encodeSegment(k, input.rawPath)}=${encodeSegment(v, input.rawPath)}`).join("&")}`;
        const headers: Record<string, string> = {};
        if (input.authorization !== undefined) headers.authorization = input.authorization;
        if (input.apiKey !== undefined) headers["x-api-key"] = input.apiKey;
        if (input.contentType !== undefined) headers["content-type"] = input.contentType;
        const before = await fx.h.auditLength();
        let response: Awaited<ReturnType<Harness["app"]["inject"]>>;
        try {
          response = await fx.h.app.inject({
            method: (input.method ?? input.route.method) as "GET",
            url: `${path}${query}`,
            headers,
            ...(input.body === undefined ? {} : { payload: input.body }),
          });
        } catch {
          // The HTTP client refused to build the request (e.g. a header with a NUL): it never reached the app.
          refusedByTransport++;
          return;
        }
        delivered++;
        expect(response.statusCode, response.body).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
          const problem = JSON.parse(response.body) as { code: string; status: number; instance: string };
          expect(isErrorCode(problem.code), problem.code).toBe(true);
          expect(problem.status).toBe(response.statusCode);
          expect(errorCatalogue[problem.code as keyof typeof errorCatalogue].status).toBe(
            response.statusCode,
          );
          expect(typeof problem.instance).toBe("string");
          expect(await fx.h.auditLength()).toBe(before);
        }
      }),
      { numRuns },
    );
    // Most cases must reach the app, or the property proves little.
    expect(delivered).toBeGreaterThan(refusedByTransport * 4);
  });
});
