/**
 * Bench upstream: a fixed ~300-byte JSON answer (a day of OHLCV) on every
 * path, keep-alive. Reports its port over IPC.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const body = JSON.stringify({
  symbol: "ETH",
  date: "2025-01-01",
  open: 3332.18,
  high: 3401.77,
  low: 3310.05,
  close: 3353.52,
  volume: 178234.55,
  source: "keygate-bench",
  padding: "x".repeat(120),
});
const length = String(Buffer.byteLength(body));

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "application/json", "content-length": length });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("SIGTERM", () => process.exit(0));
