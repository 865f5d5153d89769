/**
 * Where a `KeygateClient` keeps its API key. The store, not the client, is the
 * source of truth: the client re-reads it whenever the key it holds may be
 * stale (a `Deprecation`/`Sunset` signal, a `401 KEY_EXPIRED`/`KEY_REVOKED`,
 * a `watch` notification), so keys written by another process, an operator or
 * a secrets manager take over without a restart.
 *
 * Implement only what your medium supports: `load` is required; a store
 * without `save` is read-only (the client then never self-rotates, it emits
 * `deprecated` so a human or a pipeline rotates the key where it lives).
 */
export interface KeyStore {
  /**
   * Reads the current secret from the medium, or `null` when none is stored.
   * MUST reflect writes made by other processes since the last call (no
   * caching beyond the medium's own), and MUST NOT throw for "nothing there".
   */
  load(): Promise<string | null>;

  /**
   * Replaces the stored secret, compare-and-swap style: writes `secret` only
   * if the store still holds `previous`, and returns whether it wrote.
   * MUST be atomic for readers: a concurrent `load` returns the old or the new
   * secret, never a mix or an empty value. The compare is only as strong as
   * `lock`: the client always calls `save` inside `lock` when the store has one.
   */
  save?(secret: string, previous: string | null): Promise<boolean>;

  /**
   * Calls `onChange` (possibly more than once, possibly spuriously) after the
   * stored secret may have changed; the client then calls `load` and compares.
   * Returns a function that stops watching. Watchers MUST NOT keep a Node.js
   * process alive on their own.
   */
  watch?(onChange: () => void): () => void;

  /**
   * Runs `fn` while holding an exclusive lock over this store, shared by every
   * client and process that uses the same medium, and releases it when `fn`
   * settles. The client wraps "reload → if unchanged, self-rotate → save" in
   * it, so N processes sharing one store rotate once, not N times.
   * MUST NOT deadlock when the holder dies: a lock whose holder is gone is
   * taken over after a bounded time.
   */
  lock?<T>(fn: () => Promise<T>): Promise<T>;
}
