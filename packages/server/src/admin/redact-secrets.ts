/** Anything shaped like a keygate key (`kg_live_…`), admin token (`kga_…`), portal link or session token (`kgl_…`, `kgs_…`). */
const SECRET_LIKE = /\b(kg_(?:live|test)_|kga_|kgl_|kgs_)[A-Za-z0-9_]*/g;

/**
 * Replaces secret-shaped text with its prefix and an ellipsis. For request
 * URLs echoed in problems and logs: a client that puts a key in a path or a
 * query string must not find it in the answer or in the operator's logs.
 */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_LIKE, "$1…");
}

interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number | undefined } | null;
}

/** fastify's request log serializer, with secrets redacted from the URL. Headers are never logged. */
export function requestLogSerializer(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactSecrets(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
