/**
 * `@keygate/client`: the browser-safe entry (no `node:*` imports).
 * The file-backed store lives in `@keygate/client/node`.
 */
export type {
  KeygateClientEventName,
  KeygateClientEvents,
  KeygateClientListener,
} from "./client-events.ts";
export { envKeyStore } from "./env-key-store.ts";
export { isWellFormedKey, keyHint } from "./key-shape.ts";
export type { KeyStore } from "./key-store.ts";
export { KeygateClient, type KeygateClientOptions, type KeyInfo } from "./keygate-client.ts";
export { KeygateClientError, type KeygateClientErrorCode } from "./keygate-client-error.ts";
export { type MemoryKeyStore, memoryKeyStore } from "./memory-key-store.ts";
export { isReplayableBody } from "./replayable-body.ts";
