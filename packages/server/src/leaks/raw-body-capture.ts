import { pipeline, Transform } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";

const captured = new WeakMap<FastifyRequest, Buffer[]>();

/**
 * A route-level `preParsing` hook that keeps the exact request bytes beside
 * the parsed body, for routes that check a signature over them. The body
 * limit still applies: fastify counts the bytes this stream passes on.
 * Chunks are copied because the socket may reuse the buffers it hands out.
 */
export async function captureRawBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: NodeJS.ReadableStream,
): Promise<NodeJS.ReadableStream> {
  const chunks: Buffer[] = [];
  captured.set(request, chunks);
  const tap = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
      chunks.push(bytes);
      callback(null, bytes);
    },
  });
  // pipeline forwards an aborted or failing request to the tap, where fastify's parser sees it.
  pipeline(payload, tap, () => {});
  return tap;
}

/** The bytes `captureRawBody` kept for this request (empty when it had no body or no capture). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  const chunks = captured.get(request);
  return chunks === undefined ? Buffer.alloc(0) : Buffer.concat(chunks);
}
