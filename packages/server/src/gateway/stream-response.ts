import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";

/**
 * Streams an upstream body into the client's response with backpressure
 * (`pipe`), tearing each side down when the other fails: a client that
 * leaves stops the upstream body, an upstream body that breaks cuts the
 * client's response (its status line is already sent). Used instead of
 * `stream.pipeline`, which allocates an AbortController per call — about a
 * tenth of a proxy's CPU per request in Node 20.
 */
export function streamResponse(
  body: Readable,
  res: ServerResponse,
  onBodyError: (error: Error) => void,
): void {
  body.on("error", (error) => {
    if (!res.destroyed) {
      onBodyError(error);
      res.destroy();
    }
  });
  res.once("close", () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(res);
}
