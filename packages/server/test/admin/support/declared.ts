import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { adminRoutes } from "../../../src/admin/admin-routes.ts";

/**
 * Asserts a success answer: its status, and that its body parses with the
 * response schema the route declares (the one the OpenAPI document shows).
 */
export function expectDeclared<T = Record<string, unknown>>(
  response: LightMyRequestResponse,
  operationId: string,
  status: number,
): T {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const route = adminRoutes.find((r) => r.operationId === operationId);
  const schema = route?.responses[status]?.schema;
  if (schema === undefined) throw new Error(`${operationId} declares no schema for ${status}`);
  const parsed = schema.safeParse(JSON.parse(response.body));
  expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues)).toBe(true);
  return JSON.parse(response.body) as T;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  errors?: { path: string; message: string }[];
}

/** Asserts a problem+json answer with the given status and code, and returns it. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): ProblemBody {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.body) as ProblemBody;
  expect(problem.code).toBe(code);
  expect(problem.status).toBe(status);
  expect(problem.type).toBe(`https://keygate.dev/errors/${code}`);
  expect(typeof problem.title).toBe("string");
  expect(typeof problem.detail).toBe("string");
  if (status === 401) expect(response.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
  return problem;
}
