import { maxStreamId } from "./stream-id.ts";

/** What a reconnecting reader learns about the stream before it resumes. */
export interface StreamProbe {
  /** False when the stream key is gone (deleted, or Redis restarted without persistence). */
  readonly exists: boolean;
  /** Whether the entry the reader processed last is still in the stream. */
  readonly lastIdPresent: boolean;
  /** Entries in the stream now. */
  readonly length: number;
  /** XINFO `entries-added` (Redis ≥ 7): entries ever appended; undefined when not reported. */
  readonly entriesAdded: number | undefined;
  /** Redis server time, ms: stream ids are minted from it. */
  readonly serverMs: number;
}

/**
 * After a gap, entries younger than this are still read and acknowledged:
 * longer than any admin `?wait=true` (5 s), so a request waiting on a
 * change published during the outage can still complete.
 */
export const RECENT_WINDOW_MS = 10_000;

/**
 * Where a reader resumes after reconnecting, and whether it may have missed
 * changes (`gap`). Without a gap it continues right after `lastId`.
 *
 * The proof of "no gap" is that `lastId` is still in the stream: entries
 * leave a stream only from its head (MAXLEN trimming), so everything after an
 * entry that is still there is still there too. (XINFO's
 * `max-deleted-entry-id` would be more precise but trimming does not update
 * it.) A reader that never read an entry (`0-0`) lost something iff the
 * stream ever held more entries than it holds now. Without the proof the
 * reader skips what it cannot show complete and resumes near the current
 * end; a recreated stream (Redis restarted empty) starts from its beginning.
 */
export function resumePoint(lastId: string, probe: StreamProbe): { from: string; gap: boolean } {
  if (!probe.exists) return { from: "0-0", gap: lastId !== "0-0" };
  if (lastId === "0-0") {
    const gap = probe.entriesAdded !== undefined && probe.entriesAdded > probe.length;
    return { from: gap ? recentStart(probe) : lastId, gap };
  }
  if (probe.lastIdPresent) return { from: lastId, gap: false };
  return { from: maxStreamId(lastId, recentStart(probe)), gap: true };
}

function recentStart(probe: StreamProbe): string {
  return `${Math.max(0, probe.serverMs - RECENT_WINDOW_MS)}-0`;
}
