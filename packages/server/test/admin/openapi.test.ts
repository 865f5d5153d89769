import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAdminRoutes } from "../../src/admin/admin-app.ts";
import { createHarness, type Harness, json } from "./support/admin-harness.ts";

interface Operation {
  operationId: string;
  security: unknown[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: Record<string, unknown> }> }
  >;
  "x-keygate-access": string;
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

describe("OpenAPI document", () => {
  let h: Harness;
  let doc: Document;

  beforeAll(async () => {
    h = await createHarness();
    doc = json<Document>(await h.call({ method: "GET", url: "/docs", token: null }));
  });
  afterAll(async () => {
    await h.close();
  });

  it("is OpenAPI 3.1, served at /docs and /docs/openapi.json alike", async () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(json(await h.call({ method: "GET", url: "/docs/openapi.json", token: null }))).toEqual(doc);
  });

  it("has exactly one operation per registered route, with unique operation ids", () => {
    // /auth/* are the dashboard's sign-in navigations (redirects and pages, docs/security.md), not API operations.
    const registered = listAdminRoutes(h.app)
      .filter((r) => !r.url.startsWith("/auth/"))
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents auth, parameters, bodies and problem answers", () => {
    const rotate = doc.paths["/v1/keys/{id}/rotate"]?.post;
    expect(rotate?.["x-keygate-access"]).toBe("operator");
    // An admin token, or the dashboard's SSO session cookie (whose changes need x-keygate-csrf).
    expect(rotate?.security).toEqual([{ adminToken: [] }, { dashboardSession: [] }]);
    expect(JSON.stringify(rotate?.responses["403"])).toContain("CSRF_FAILED");
    expect(JSON.stringify(doc.paths["/v1/consumers"]?.get?.responses["403"])).not.toContain("CSRF_FAILED");
    expect(rotate?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "id", in: "path", required: true }),
        expect.objectContaining({ name: "wait", in: "query", required: false }),
      ]),
    );
    const bodySchema = rotate?.requestBody?.content["application/json"]?.schema;
    expect(bodySchema?.additionalProperties).toBe(false);
    expect(Object.keys((bodySchema?.properties ?? {}) as object).sort()).toEqual([
      "idleSeconds",
      "overlapSeconds",
      "retire",
    ]);
    expect(Object.keys(rotate?.responses ?? {}).sort()).toEqual([
      "201",
      "202",
      "400",
      "401",
      "403",
      "404",
      "409",
      "413",
      "500",
    ]);
    expect(rotate?.responses["409"]?.content?.["application/problem+json"]?.schema).toEqual({
      $ref: "#/components/schemas/Problem",
    });
    expect(doc.components.schemas.Problem).toBeDefined();
    expect(doc.paths["/healthz"]?.get?.security).toEqual([]);
    expect(doc.paths["/v1/self/rotate"]?.post?.security).toEqual([
      { consumerApiKey: [] },
      { consumerBearer: [] },
    ]);
    const keyView = doc.paths["/v1/keys/{id}"]?.get?.responses["200"]?.content?.["application/json"]?.schema;
    const keyFields = Object.keys((keyView?.properties ?? {}) as object);
    expect(keyFields).toContain("hint");
    expect(keyFields).not.toContain("hash");
    expect(keyFields).not.toContain("secret");
  });
});
