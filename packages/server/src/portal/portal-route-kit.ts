import type { Consumer, ErrorCode, PortalSession } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import type { z } from "zod";
import type { HttpMethod, ResponseSpec } from "../admin/route-kit.ts";
import { parseCall } from "../admin/route-kit.ts";
import { type emptyBody, noParams, noQuery } from "../admin/schemas.ts";
import type { PortalContext } from "./portal-context.ts";

/** `public`: no session (branding, sign-in); `session`: a signed-in consumer, and a CSRF header on mutations. */
export type PortalAccess = "public" | "session";

/** The signed-in consumer of a `session` route. */
export interface PortalAuth {
  readonly consumer: Consumer;
  readonly session: PortalSession;
}

export interface PortalCall<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Set on `session` routes (checked before the handler runs), undefined on `public` ones. */
  readonly auth: PortalAuth | undefined;
  /** The client's address, for throttling. */
  readonly clientIp: string;
  readonly ctx: PortalContext;
}

export interface PortalResult {
  readonly status: number;
  /** JSON, or nothing for 202/204. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface PortalRouteMeta {
  readonly method: HttpMethod;
  readonly url: string;
  readonly access: PortalAccess;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly errors?: readonly ErrorCode[];
}

export interface PortalRouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>
  extends PortalRouteMeta {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly handler: (call: PortalCall<z.output<P>, z.output<Q>, z.output<B>>) => Promise<PortalResult>;
}

export interface RawPortalCall {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly auth: PortalAuth | undefined;
  readonly clientIp: string;
  readonly ctx: PortalContext;
}

/** A portal route with its types erased: registered by the portal app, documented by the OpenAPI builder. */
export interface PortalRoute extends PortalRouteMeta {
  readonly params: z.ZodType;
  readonly query: z.ZodType;
  readonly body: z.ZodType | undefined;
  handle(raw: RawPortalCall): Promise<PortalResult>;
}

export function definePortalRoute<
  P extends z.ZodType = typeof noParams,
  Q extends z.ZodType = typeof noQuery,
  B extends z.ZodType = typeof emptyBody,
>(definition: PortalRouteDefinition<P, Q, B>): PortalRoute {
  const route: Omit<PortalRoute, "handle"> = {
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
        auth: raw.auth,
        clientIp: raw.clientIp,
        ctx: raw.ctx,
      });
    },
  };
}

/** The signed-in consumer; only `session` routes call it, where the app has already checked the session. */
export function signedIn(call: { readonly auth: PortalAuth | undefined }): PortalAuth {
  if (call.auth === undefined) throw new KeygateError("UNAUTHENTICATED", "Sign in to the portal first.");
  return call.auth;
}
