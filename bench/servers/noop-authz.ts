/**
 * The floor for forward auth: a plain `node:http` server that answers every
 * question 200 without checking anything, with the same identity headers
 * keygate's answer carries (fixed values), so nginx does the same work with
 * them. Reports its port over IPC.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const headers = {
  "x-keygate-consumer-id": "con_01J0000000000000000000000",
  "x-keygate-key-id": "key_01J0000000000000000000000",
  "x-keygate-scopes": "read",
  "cache-control": "no-store",
  "content-length": "0",
};
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end();
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  process.exit(0);
});
