import type { Server, ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * `node:http` server options for a port that faces clients (the gateway,
 * forward auth): slow clients must not hold sockets (and, through a slow
 * body, upstream connections). Node checks incomplete requests against these
 * every `connectionsCheckingInterval` (30 s by default, too coarse).
 */
export function clientFacingServerOptions(
  requestTimeoutMs: number | undefined,
  headersTimeoutMs: number | undefined,
): ServerOptions {
  const requestTimeout = requestTimeoutMs ?? 60_000;
  const headersTimeout = Math.min(headersTimeoutMs ?? 10_000, requestTimeout);
  return {
    requestTimeout,
    headersTimeout,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

/** Starts listening; resolves with the bound port (useful with port 0). */
export function listenOn(server: Server, port: number, host: string | undefined): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve({ port: (server.address() as AddressInfo).port });
    });
  });
}

/** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. */
export function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    grace.unref();
    server.close(() => {
      clearTimeout(grace);
      resolve();
    });
    server.closeIdleConnections();
  });
}
