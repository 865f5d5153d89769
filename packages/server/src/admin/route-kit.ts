import type { IncomingHttpHeaders } from "node:http";
import type { Actor, AdminRole, ErrorCode, FieldError } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import type { z } from "zod";
import type { PropagationTracker } from "../cluster/propagation.ts";
import type { NodeInfo } from "../cluster/redis/node-registry.ts";
import type { LeakIntake } from "../leaks/leak-intake.ts";
import type { AdminLimits } from "../limits/admin-limits.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import type { WebhookAdmin } from "../webhooks/webhook-admin.ts";
import type { RoleAccess } from "./admin-roles.ts";
import type { KeyVerifyFunction, VerifyOutcome } from "./key-verifier.ts";
import { redactSecrets } from "./redact-secrets.ts";
import { emptyBody, noParams, noQuery } from "./schemas.ts";

/**
 * Who may call a route: `public` (health, metrics, docs), `consumer` (a
 * consumer's own key, checked by the route through the verifier), or the
 * minimum operator role (`viewer`, `operator`, `admin`, or `verifier` for
 * `POST /v1/verify`; see `roleAllows`) of an admin token or dashboard session.
 */
export type Access = "public" | "consumer" | RoleAccess;

/** Whether a route is called by operators (admin token or dashboard session). */
export function isRoleAccess(access: Access | undefined): access is RoleAccess {
  return access !== undefined && access !== "public" && access !== "consumer";
}

/** Everything a route handler may use, built once per app. */
export interface AdminContext {
  readonly deps: ServiceDeps;
  readonly propagation: PropagationTracker;
  readonly verify: KeyVerifyFunction;
  readonly ready: () => Promise<boolean>;
  readonly metrics: () => Promise<string>;
  readonly nodeId: string;
  /** Upper bound of `?wait=true`, in milliseconds. */
  readonly propagationWaitMs: number;
  /** The OpenAPI document of this app. */
  readonly openapi: () => unknown;
  /** Signature check and policy for `POST /v1/leaks`; undefined when leak reports are not configured. */
  readonly leaks: LeakIntake | undefined;
  /** Webhook settings (outbound-address policy); undefined: the strict defaults (private networks refused). */
  readonly webhooks?: WebhookAdmin | undefined;
  /** The cluster's live nodes (`GET /v1/nodes`); this node alone when not given. */
  readonly liveNodes?: (() => Promise<readonly NodeInfo[]>) | undefined;
  /** The node's limiter (the gateway's): `POST /v1/verify` charges it; usage reads it. None: no limits. */
  readonly limits?: AdminLimits | undefined;
  /** Public URL of the consumer portal: hand-off links (`POST /v1/consumers/{id}/portal-links`) point there. */
  readonly portalUrl?: string | undefined;
  /** Longest IP allowlist per key (`keys.maxAllowedIps`); default 100. */
  readonly maxAllowedIps?: number | undefined;
  /** Whether keys of a plan may rotate themselves (`plans.<name>.selfRotation`); default: every plan may. */
  readonly selfRotationAllowed?: ((plan: string | null) => boolean) | undefined;
}

/** One parsed request, as a handler sees it. */
export interface RouteCall<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The admin token's or signed-in operator's identity on role routes; an anonymous system actor otherwise. */
  readonly actor: Actor;
  /** The verified consumer key of a `consumer` route; undefined on every other route. */
  readonly consumer: VerifyOutcome | undefined;
  /** The operator's role on role routes; undefined on `public` and `consumer` routes. */
  readonly role?: AdminRole | undefined;
  /** The dashboard session's CSRF token when the caller is signed in by SSO; undefined for admin tokens. */
  readonly csrfToken?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly ctx: AdminContext;
}

export interface RouteResult {
  readonly status: number;
  /** Serialized as JSON unless it is a string. */
  readonly body: unknown;
  /** Defaults to `application/json; charset=utf-8`. */
  readonly contentType?: string;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** For non-JSON answers (metrics). */
  readonly contentType?: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface RouteMeta {
  readonly method: HttpMethod;
  /** fastify syntax: `/v1/keys/:id/rotate`. */
  readonly url: string;
  readonly access: Access;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Success answers by status. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Catalogue codes this route answers beyond the ones its access and input imply. */
  readonly errors?: readonly ErrorCode[];
  /** Keep the exact request bytes (`RawCall.rawBody`), for a route that checks a signature over them. */
  readonly rawBody?: boolean;
  /** This route's body limit, when it needs more than the admin port's (`admin.bodyLimitBytes`). */
  readonly bodyLimitBytes?: number;
}

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>
  extends RouteMeta {
  readonly params?: P;
  readonly query?: Q;
  /** Absent: the route takes no body (nothing, or `{}`). */
  readonly body?: B;
  readonly handler: (call: RouteCall<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult>;
}

/** Raw request parts, before parsing. */
export interface RawCall {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly actor: Actor;
  readonly consumer: VerifyOutcome | undefined;
  readonly role?: AdminRole | undefined;
  readonly csrfToken?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly ctx: AdminContext;
  /** The request body as received, on `rawBody` routes only. */
  readonly rawBody?: Buffer | undefined;
}

/** A route with its types erased, ready to register and to document. */
export interface AdminRoute extends RouteMeta {
  readonly params: z.ZodType;
  readonly query: z.ZodType;
  /** undefined when the route takes no body. */
  readonly body: z.ZodType | undefined;
  handle(raw: RawCall): Promise<RouteResult>;
}

const MAX_REPORTED_ERRORS = 100;
const MAX_SEGMENT_LENGTH = 100;

/** A JSON pointer to the field; client-chosen names are bounded and secret-shaped ones redacted. */
function pointer(segments: readonly string[]): string {
  return `/${segments
    .map((s) => redactSecrets(s.length > MAX_SEGMENT_LENGTH ? `${s.slice(0, MAX_SEGMENT_LENGTH)}…` : s))
    .map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/")}`;
}

/**
 * Zod issues as `{path, message}` under `/params`, `/query` or `/body`. Zod
 * messages name what was expected, never the value received, so a secret sent
 * in the wrong field is not echoed back.
 */
export function fieldErrors(section: "params" | "query" | "body", error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [section, ...issue.path.map(String)];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors.push({ path: pointer([...base, key]), message: "unknown field" });
    } else {
      errors.push({ path: pointer(base), message: issue.message });
    }
  }
  return errors;
}

/** Parses the three request parts and reports every problem of all three at once. */
export function parseCall(
  route: Pick<AdminRoute, "params" | "query" | "body">,
  raw: Pick<RawCall, "params" | "query" | "body">,
): { params: unknown; query: unknown; body: unknown } {
  const params = route.params.safeParse(raw.params ?? {});
  const query = route.query.safeParse(raw.query ?? {});
  const body = (route.body ?? emptyBody).safeParse(raw.body);
  const errors = [
    ...(params.success ? [] : fieldErrors("params", params.error)),
    ...(query.success ? [] : fieldErrors("query", query.error)),
    ...(body.success ? [] : fieldErrors("body", body.error)),
  ];
  if (errors.length > 0 || !params.success || !query.success || !body.success) {
    const count = errors.length;
    throw new KeygateError(
      "VALIDATION_FAILED",
      `The request has ${count} invalid field${count === 1 ? "" : "s"}; see errors.`,
      errors.slice(0, MAX_REPORTED_ERRORS),
    );
  }
  return { params: params.data, query: query.data, body: body.data };
}

/**
 * Declares one endpoint. The types flow from the schemas to the handler; the
 * result is type-erased so every route fits one list.
 */
export function defineRoute<
  P extends z.ZodType = typeof noParams,
  Q extends z.ZodType = typeof noQuery,
  B extends z.ZodType = typeof emptyBody,
>(definition: RouteDefinition<P, Q, B>): AdminRoute {
  const route: Omit<AdminRoute, "handle"> = {
    ...definition,
    params: definition.params ?? noParams,
    query: definition.query ?? noQuery,
    body: definition.body,
  };
  return {
    ...route,
    async handle(raw) {
      const parsed = parseCall(route, raw);
      return definition.handler({
        params: parsed.params as z.output<P>,
        query: parsed.query as z.output<Q>,
        body: parsed.body as z.output<B>,
        actor: raw.actor,
        consumer: raw.consumer,
        role: raw.role,
        csrfToken: raw.csrfToken,
        headers: raw.headers,
        ctx: raw.ctx,
      });
    },
  };
}
