import type { ErrorCode } from "@keygate/core";
import { errorCatalogue } from "@keygate/core";
import { z } from "zod";
import type { AdminRoute, ResponseSpec } from "./route-kit.ts";
import { problemSchema } from "./view-schemas.ts";

type JsonSchema = Record<string, unknown>;

/** What the document needs of a route: admin and portal routes both fit. */
export type DocumentedRoute = Pick<
  AdminRoute,
  "method" | "url" | "operationId" | "summary" | "tag" | "responses" | "errors" | "params" | "query" | "body"
> & { readonly access: AdminRoute["access"] | "session" };

/** The document's title, description and security schemes; default: the admin API's. */
export interface DocumentInfo {
  readonly title: string;
  readonly description: string;
  readonly securitySchemes: Readonly<Record<string, JsonSchema>>;
}

const ADMIN_INFO: DocumentInfo = {
  title: "keygate admin API",
  description:
    "Keys, consumers, plans, rotations, verification and audit. Every error is application/problem+json " +
    "(RFC 9457) with a stable `code`; see docs/errors.md.",
  securitySchemes: {
    adminToken: {
      type: "http",
      scheme: "bearer",
      description:
        "An admin token (kga_…) with a role: viewer (reads), operator (consumers, keys, rotations, webhooks), " +
        "admin (also plans and admin tokens), verifier (POST /v1/verify only); x-keygate-access names each route's minimum",
    },
    dashboardSession: {
      type: "apiKey",
      in: "cookie",
      name: "keygate_admin",
      description:
        "The dashboard's single sign-on session (set by GET /auth/callback; __Host-keygate_admin behind https), " +
        "with the role mapped from the identity provider. Every change also needs x-keygate-csrf with the " +
        "csrfToken from GET /v1/me (403 CSRF_FAILED without it)",
    },
    consumerApiKey: {
      type: "apiKey",
      in: "header",
      name: "x-api-key",
      description: "A consumer key (kg_…)",
    },
    consumerBearer: {
      type: "http",
      scheme: "bearer",
      description: "A consumer key (kg_…) as a bearer token",
    },
  },
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** A route schema that may be wrapped in `.optional()`: the object inside it. */
function unwrapOptional(schema: z.ZodType): { schema: z.ZodType; required: boolean } {
  return schema instanceof z.ZodOptional
    ? { schema: schema.unwrap() as z.ZodType, required: false }
    : { schema, required: true };
}

function parameters(schema: z.ZodType, location: "path" | "query"): JsonSchema[] {
  const object = jsonSchema(schema, "input");
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    schema: property,
  }));
}

/** The catalogue codes a route can answer, from its access rule, its input and its own list. */
function errorCodes(route: DocumentedRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>(["VALIDATION_FAILED", "INTERNAL"]);
  const operatorRoute =
    route.access !== "public" && route.access !== "consumer" && route.access !== "session";
  if (operatorRoute || route.access === "session") codes.add("UNAUTHENTICATED");
  if (route.access === "session" && route.method !== "GET") codes.add("CSRF_FAILED");
  // A dashboard session cookie may call operator routes too; its changes need the CSRF header.
  if (operatorRoute && route.method !== "GET") codes.add("CSRF_FAILED");
  // Every operator route names a minimum role (a verifier token may call nothing but /v1/verify).
  if (operatorRoute) codes.add("FORBIDDEN");
  if (route.body !== undefined || route.method !== "GET") codes.add("PAYLOAD_TOO_LARGE");
  for (const code of route.errors ?? []) codes.add(code);
  return [...codes];
}

function successResponse(spec: ResponseSpec): JsonSchema {
  if (spec.schema === undefined) {
    return {
      description: spec.description,
      content: { [spec.contentType ?? "text/plain"]: { schema: { type: "string" } } },
    };
  }
  return {
    description: spec.description,
    content: { "application/json": { schema: jsonSchema(spec.schema, "output") } },
  };
}

function securityOf(access: DocumentedRoute["access"]): JsonSchema[] {
  if (access === "public") return [];
  if (access === "consumer") return [{ consumerApiKey: [] }, { consumerBearer: [] }];
  if (access === "session") return [{ portalSession: [] }];
  return [{ adminToken: [] }, { dashboardSession: [] }];
}

function operation(route: DocumentedRoute): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(route.responses)) responses[status] = successResponse(spec);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(route)) {
    const status = errorCatalogue[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.join(", "),
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  const body = route.body === undefined ? undefined : unwrapOptional(route.body);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    "x-keygate-access": route.access,
    security: securityOf(route.access),
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
    ...(body && {
      requestBody: {
        required: body.required,
        content: { "application/json": { schema: jsonSchema(body.schema, "input") } },
      },
    }),
    responses,
  };
}

/** The OpenAPI 3.1 document of the given routes, generated from their zod schemas. */
export function buildOpenApiDocument(
  routes: readonly DocumentedRoute[],
  version: string,
  info: DocumentInfo = ADMIN_INFO,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version, description: info.description },
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, "output") },
      securitySchemes: info.securitySchemes,
    },
  };
}
