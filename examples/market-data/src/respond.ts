import type { IncomingMessage, ServerResponse } from "node:http";

/** One invalid input, as listed in a 400 problem's `errors`. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** RFC 9457 problem details as this upstream emits them. */
export interface UpstreamProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldProblem[];
}

const PROBLEM_BASE = "https://keygate.dev/examples/market-data/problems/";

export function problem(
  slug: string,
  status: number,
  title: string,
  detail: string,
  errors?: readonly FieldProblem[],
): UpstreamProblem {
  const base = { type: `${PROBLEM_BASE}${slug}`, title, status, detail };
  return errors && errors.length > 0 ? { ...base, errors } : base;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendProblem(
  res: ServerResponse,
  body: UpstreamProblem,
  headers: Record<string, string> = {},
): void {
  sendJson(res, body.status, body, "application/problem+json", headers);
}

/** Thrown by `readBody` when the body exceeds its limit; mapped to 413. */
export class BodyTooLargeError extends Error {}

/** Reads the whole request body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(`body exceeds ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
