import type { KeyStore } from "./key-store.ts";

interface ProcessLike {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the key from an environment variable on every `load`. Read-only: a
 * client on this store never self-rotates (the new secret would be lost on
 * restart); it emits `deprecated`, and whoever manages the environment rotates.
 * Works wherever `process.env` exists (Node, Deno, Bun); in a browser `load` returns null.
 */
export function envKeyStore(name: string): KeyStore {
  return {
    async load() {
      const processLike = (globalThis as { process?: ProcessLike }).process;
      const value = processLike?.env?.[name]?.trim();
      return value ? value : null;
    },
  };
}
