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
