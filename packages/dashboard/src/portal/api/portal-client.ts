import { type QueryValue, withQuery } from "../../api/api-client.ts";
import { ApiError, problemFromResponse } from "../../api/api-error.ts";

const BASE = "/portal/v1";

/** The portal API of the page's own origin; every failure is an `ApiError`. */
export interface PortalClient {
  get<T>(path: string, query?: Readonly<Record<string, QueryValue>>, signal?: AbortSignal): Promise<T>;
  /** A change: always a JSON body (`{}` when none) and the session's CSRF header. */
  send<T>(method: "POST" | "PATCH", path: string, body?: unknown): Promise<T>;
}

export interface PortalClientOptions {
  /** The session's token from `GET /me`; absent before sign-in (those calls need none). */
  readonly csrfToken?: () => string | undefined;
  /** Called on any 401: the session ended (expired, signed out elsewhere, consumer disabled). */
  readonly onUnauthorized?: () => void;
}

function unreachable(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    status: 0,
    code: "NETWORK",
    title: "Cannot reach the server",
    detail: `The request did not get an answer (${reason}). Check your connection and try again.`,
  });
}

/**
 * The session is an HttpOnly cookie the browser sends by itself
 * (`credentials: "same-origin"`); the page never sees it, so nothing
 * secret is kept in script-readable storage.
 */
export function createPortalClient(options: PortalClientOptions = {}): PortalClient {
  async function call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    if (method !== "GET") {
      headers["content-type"] = "application/json";
      const csrf = options.csrfToken?.();
      if (csrf !== undefined) headers["x-keygate-csrf"] = csrf;
    }
    let response: Response;
    try {
      response = await fetch(`${BASE}${path}`, {
        method,
        headers,
        body: method === "GET" ? null : JSON.stringify(body ?? {}),
        cache: "no-store",
        credentials: "same-origin",
        redirect: "error",
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw unreachable(error);
    }
    const text = await response.text();
    if (!response.ok) {
      const problem = problemFromResponse(response.status, response.statusText, text);
      if (response.status === 401) options.onUnauthorized?.();
      throw problem;
    }
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        status: response.status,
        code: "BAD_RESPONSE",
        title: "Unreadable answer",
        detail: "The server answered with something that is not JSON.",
      });
    }
  }
  return {
    get: (path, query, signal) => call("GET", withQuery(path, query), undefined, signal),
    send: (method, path, body) => call(method, path, body),
  };
}
