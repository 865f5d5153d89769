import type { Change } from "@keygate/core";

/** What a mutating admin response reports about a change's reach. */
export interface PropagationStatus {
  readonly changeId: string;
  /** Live nodes expected to apply the change. */
  readonly nodes: number;
  /** Nodes that have acknowledged it so far. */
  readonly acknowledged: number;
}

/** Tracks which nodes have applied which change. */
export interface PropagationTracker {
  /** The current state of a change; null if unknown (never published, or forgotten after its retention). */
  status(changeId: string): Promise<PropagationStatus | null>;
  /**
   * Resolves once every live node has acknowledged `change`, or after
   * `timeoutMs` with what is known; `complete` says which.
   */
  waitFor(change: Change, timeoutMs: number): Promise<{ status: PropagationStatus; complete: boolean }>;
}
