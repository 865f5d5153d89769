import type { FastifyInstance } from "fastify";
import type { SelfRotateHandler } from "../gateway/gateway-server.ts";

const PASSED_HEADERS = ["content-type", "cache-control", "www-authenticate", "retry-after"];

/**
 * Answers the gateway's `POST /v1/self/rotate` with the admin app's own
 * route, in process (no socket), so the two ports cannot drift apart.
 */
export async function injectSelfRotate(
  app: FastifyInstance,
  request: Parameters<SelfRotateHandler>[0],
): ReturnType<SelfRotateHandler> {
  const headers: Record<string, string> = {};
  if (request.apiKey !== undefined) headers["x-api-key"] = request.apiKey;
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  // The gateway's client address (not the in-process inject's), for the key's IP allowlist.
  const response = await app.inject({
    method: "POST",
    url: `/v1/self/rotate${request.search}`,
    headers,
    ...(request.clientIp === undefined ? {} : { remoteAddress: request.clientIp }),
  });
  const passed: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = response.headers[name];
    if (typeof value === "string") passed[name] = value;
  }
  return { status: response.statusCode, headers: passed, body: response.body };
}
