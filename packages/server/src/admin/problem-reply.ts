import type { FieldError } from "@keygate/core";
import { KeygateError } from "@keygate/core";
import type { FastifyReply } from "fastify";
import { type Problem, problemFor, problemFromError, problemHeaders } from "../http/problem.ts";
import { redactSecrets } from "./redact-secrets.ts";

const MAX_INSTANCE_LENGTH = 256;

/** The problem's `instance`: the request path without its query, secrets redacted, bounded. */
export function requestInstance(url: string): string {
  const path = url.split("?", 1)[0] ?? "/";
  const redacted = redactSecrets(path);
  return redacted.length > MAX_INSTANCE_LENGTH ? `${redacted.slice(0, MAX_INSTANCE_LENGTH)}…` : redacted;
}

const LOCATIONS = ["/params", "/query", "/body", "/headers"];

/** Services name body fields from the body's root (`/plan`); the HTTP answer names their location too. */
function locateFieldErrors(errors: readonly FieldError[] | undefined): FieldError[] | undefined {
  return errors?.map((error) =>
    LOCATIONS.some((location) => error.path === location || error.path.startsWith(`${location}/`))
      ? error
      : { path: `/body${error.path}`, message: error.message },
  );
}

function fastifyCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("FST_") ? code : undefined;
}

function isJsonSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError && (error as { statusCode?: unknown }).statusCode === 400;
}

/**
 * Maps what fastify itself throws (body parsing, routing) to catalogue
 * problems. Their messages are never passed on: some quote the request (a
 * JSON parse error quotes the body, which may hold a secret).
 */
export function toProblem(error: unknown, instance: string, bodyLimitBytes: number): Problem {
  if (error instanceof KeygateError) {
    return problemFor(error.code, error.detail, instance, locateFieldErrors(error.errors));
  }
  if (isJsonSyntaxError(error))
    return problemFor("VALIDATION_FAILED", "The request body is not valid JSON.", instance);
  const code = fastifyCode(error);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (code === undefined || typeof status !== "number") return problemFromError(error, instance);
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
    return problemFor("PAYLOAD_TOO_LARGE", `The request body exceeds ${bodyLimitBytes} bytes.`, instance);
  }
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
    return problemFor("VALIDATION_FAILED", "Unsupported content type; send application/json.", instance, [
      { path: "/headers/content-type", message: "must be application/json" },
    ]);
  }
  if (code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return problemFor("VALIDATION_FAILED", "The request body is not valid JSON.", instance);
  }
  if (code === "FST_ERR_BAD_URL")
    return problemFor("VALIDATION_FAILED", "The URL is not validly percent-encoded.", instance);
  if (status === 404) return problemFor("NOT_FOUND", "No such route.", instance);
  if (status >= 400 && status < 500) {
    return problemFor("VALIDATION_FAILED", `The request could not be read (${code}).`, instance);
  }
  return problemFromError(error, instance);
}

/** Sends a problem as `application/problem+json` with the headers the contract requires. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).headers(problemHeaders(problem)).send(JSON.stringify(problem));
}
