/**
 * `@keygate/client/node`: everything in the main entry plus the Node-only
 * file-backed store.
 */

export { type FileKeyStoreOptions, fileKeyStore } from "./file-key-store.ts";
export { type FileLockOptions, withFileLock } from "./file-lock.ts";
export * from "./index.ts";
