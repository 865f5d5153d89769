/**
 * A change that can invalidate cached verification answers. Published by the
 * node that made it, applied by every node (itself included).
 */
export interface Change {
  /** `chg_…`, unique. */
  readonly id: string;
  readonly at: number;
  /** Keys whose cached answers must be dropped. */
  readonly keyIds: readonly string[];
  /** Consumers whose keys' cached answers must be dropped (disable, plan change). */
  readonly consumerIds: readonly string[];
  /** Key hashes whose negative cache entries must be dropped (new keys). */
  readonly hashes: readonly string[];
  /** Drop everything (plan edits, mass changes). */
  readonly all: boolean;
  /**
   * Set only on the messages of a deny-first revocation, sent around its
   * transaction: `"revoke"` — refuse `keyIds` from now on, before the
   * revocation is committed (held for a bounded time); `"lift"` — that commit
   * failed (it may still have committed): stop refusing them for the fence's
   * sake and drop their cached answers; `"release"` — the revocation was
   * refused before anything was written (unknown key, already revoked, store
   * down): stop refusing them, cached answers stand. A node that does not
   * know this field treats the message as an invalidation of `keyIds`, which
   * is harmless.
   */
  readonly fence?: "revoke" | "lift" | "release";
}

export type ChangeHandler = (change: Change) => void;

/** Carries changes to every node. In process on one node; Redis in a cluster. */
export interface ChangeBus {
  /**
   * MUST deliver `change` to every subscriber of every live node, including
   * this one, and resolve once it is handed to the transport.
   */
  publish(change: Change): Promise<void>;
  /** MUST call `handler` for each change, in publish order per publisher. Returns an unsubscribe. */
  subscribe(handler: ChangeHandler): () => void;
  close(): Promise<void>;
}
