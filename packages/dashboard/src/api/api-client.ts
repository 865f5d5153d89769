import { ApiError, networkError, problemFromResponse } from "./api-error.ts";

export type QueryValue = string | number | undefined;

/** The admin API with one admin token or the SSO session cookie; every failure is an `ApiError`. */
export interface ApiClient {
  get<T>(path: string, query?: Readonly<Record<string, QueryValue>>, signal?: AbortSignal): Promise<T>;
  send<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T>;
}

export interface ApiClientOptions {
  /** An admin token, sent as a Bearer token. Absent: the SSO session cookie authenticates (same origin only). */
  readonly token?: string | undefined;
  /** The SSO session's CSRF token (`GET /v1/me`), sent as `x-keygate-csrf` on every change. */
  readonly csrfToken?: string | undefined;
  /** Called on any 401: the token was revoked or is wrong; the session ends. */
  readonly onUnauthorized?: () => void;
  /** Default: the page's own origin (the admin port serves the dashboard). */
  readonly baseUrl?: string;
}

export function withQuery(path: string, query: Readonly<Record<string, QueryValue>> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, String(value));
  const search = params.toString();
  return search === "" ? path : `${path}?${search}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl ?? "";
  async function call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    else if (options.csrfToken !== undefined && method !== "GET")
      headers["x-keygate-csrf"] = options.csrfToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        cache: "no-store",
        // A token needs no cookie; a signed-in person is their (HttpOnly, same-site) session cookie.
        credentials: options.token === undefined ? "same-origin" : "omit",
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw networkError(error);
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
        detail: "The admin API answered with something that is not JSON.",
      });
    }
  }
  return {
    get: (path, query, signal) => call("GET", withQuery(path, query), undefined, signal),
    send: (method, path, body) => call(method, path, body),
  };
}
