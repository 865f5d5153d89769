import type { ServerResponse } from "node:http";
import { type ErrorCode, errorCatalogue, type FieldError, KeygateError } from "@keygate/core";

/**
 * RFC 9457 problem details. This module is the only place where errors
 * become HTTP, on both ports.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance: string;
  readonly errors?: readonly FieldError[];
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Stable identifier of a problem type; `docs/errors.md` documents each. */
export function problemType(code: ErrorCode): string {
  return `https://keygate.dev/errors/${code}`;
}

export function problemFor(
  code: ErrorCode,
  detail: string,
  instance: string,
  errors?: readonly FieldError[],
): Problem {
  const entry = errorCatalogue[code];
  const problem: Problem = {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    detail,
    code,
    instance,
  };
  return errors && errors.length > 0 ? { ...problem, errors } : problem;
}

/**
 * Maps anything thrown to a problem. A `KeygateError` keeps its code and
 * detail; anything else is a 500 with a generic detail (the caller logs the
 * original, with the request id, never the client).
 */
export function problemFromError(error: unknown, instance: string): Problem {
  if (error instanceof KeygateError) return problemFor(error.code, error.detail, instance, error.errors);
  return problemFor("INTERNAL", "An unexpected error occurred; it has been logged.", instance);
}

/** Headers every problem response carries: content type, and the auth/retry hints the contract requires. */
export function problemHeaders(problem: Problem, retryAfterSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": PROBLEM_CONTENT_TYPE,
    "cache-control": "no-store",
  };
  if (problem.status === 401) headers["www-authenticate"] = 'Bearer error="invalid_token"';
  if (problem.status === 429 || problem.status === 503) {
    headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterSeconds ?? 1)));
  }
  return headers;
}

/** Writes a problem on a raw `node:http` response (the gateway's path). */
export function sendProblem(
  res: ServerResponse,
  problem: Problem,
  extraHeaders?: Record<string, string>,
  retryAfterSeconds?: number,
): void {
  const body = JSON.stringify(problem);
  const headers = { ...problemHeaders(problem, retryAfterSeconds), ...extraHeaders };
  headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(problem.status, headers);
  res.end(body);
}
