/**
 * Child process for the lock-contention test: one consumer process with its
 * own KeygateClient on a shared key file. Makes one request, lets any
 * rotation finish, and prints what it ended up with as JSON.
 * Env: BASE_URL, KEY_FILE; NO_LOCK=1 strips the store's lock (control run).
 */
import { fileKeyStore } from "../../src/file-key-store.ts";
import type { KeyStore } from "../../src/key-store.ts";
import { KeygateClient } from "../../src/keygate-client.ts";

const baseUrl = process.env.BASE_URL ?? "";
const keyFile = process.env.KEY_FILE ?? "";
const full = fileKeyStore(keyFile);
const store: KeyStore = process.env.NO_LOCK === "1" ? { load: full.load, save: full.save } : full;

const client = new KeygateClient({ baseUrl, store });
const rotated: unknown[] = [];
const errors: string[] = [];
client.on("rotated", (event) => rotated.push(event));
client.on("error", ({ error }) => errors.push(error.message));

const response = await client.fetch("/v2/daily-ohlcv?symbol=ETH");
await response.arrayBuffer();
await client.idle();
const info = await client.keyInfo();
client.close();
process.stdout.write(JSON.stringify({ status: response.status, hint: info.hint, rotated, errors }));
