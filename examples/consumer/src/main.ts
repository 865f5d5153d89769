/**
 * Long-running consumer of the market-data demo through keygate.
 *
 *   KEYGATE_URL=http://127.0.0.1:8080 KEYGATE_KEY_FILE=./.keygate/key \
 *     node --import tsx examples/consumer/src/main.ts
 *
 * KEYGATE_KEY (optional) seeds the key file when it is empty; afterwards the
 * file is the source of truth (self-rotation writes it, an operator may too).
 * INTERVAL_MS (default 2000), MAX_REQUESTS (default: until Ctrl-C), SYMBOL (default ETH),
 * KEYGATE_SELF_ROTATE_URL (default: the gateway's /v1/self/rotate).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { runConsumer } from "./run-consumer.ts";

const baseUrl = process.env.KEYGATE_URL ?? "http://127.0.0.1:8080";
const keyFile = process.env.KEYGATE_KEY_FILE ?? process.argv[2] ?? "./.keygate/key";
const seed = process.env.KEYGATE_KEY;

if (seed && !(await readFile(keyFile, "utf8").catch(() => "")).trim()) {
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  await writeFile(keyFile, `${seed.trim()}\n`, { mode: 0o600 });
}

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
log(`consumer: ${baseUrl}, key file ${keyFile}`);
const summary = await runConsumer({
  baseUrl,
  keyFile,
  intervalMs: Number(process.env.INTERVAL_MS ?? 2000),
  ...(process.env.MAX_REQUESTS ? { maxRequests: Number(process.env.MAX_REQUESTS) } : {}),
  ...(process.env.SYMBOL ? { symbol: process.env.SYMBOL } : {}),
  ...(process.env.KEYGATE_SELF_ROTATE_URL ? { selfRotateUrl: process.env.KEYGATE_SELF_ROTATE_URL } : {}),
  signal: controller.signal,
  log,
});
const ok = summary.statuses.filter((status) => status < 400).length;
log(
  `done: ${summary.statuses.length} requests, ${ok} ok, ${summary.rotations} key switches, ${summary.failures} failures`,
);
