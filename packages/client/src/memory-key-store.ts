import type { KeyStore } from "./key-store.ts";
import { createMutex } from "./mutex.ts";

/** A `KeyStore` held in memory, with `set` for keys obtained elsewhere (a vault, a config reload). */
export interface MemoryKeyStore extends Required<KeyStore> {
  /** Replaces the secret unconditionally and notifies watchers (like an operator dropping in a key). */
  set(secret: string | null): void;
}

/**
 * Keeps the key in this process only; rotations are lost on restart. Clients
 * sharing one instance rotate once: `lock` is an in-process mutex.
 */
export function memoryKeyStore(secret: string | null): MemoryKeyStore {
  let current = secret;
  const watchers = new Set<() => void>();
  const mutex = createMutex();
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  return {
    async load() {
      return current;
    },
    async save(next, previous) {
      if (current !== previous) return false;
      current = next;
      notify();
      return true;
    },
    watch(onChange) {
      watchers.add(onChange);
      return () => watchers.delete(onChange);
    },
    lock: (fn) => mutex(fn),
    set(next) {
      current = next;
      notify();
    },
  };
}
