import type { KeyRecord, KeyStatus, KeyStore } from "@keygate/core";

/** Rows read from the store per call at most; past it the page ends early with a cursor. */
const SCAN_BUDGET = 10_000;
const BATCH = 500;

export interface KeyListQuery {
  readonly consumerId?: string | undefined;
  /** The status shown to readers; `matches` decides it per row. */
  readonly status?: KeyStatus | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

export interface KeyListPage {
  readonly keys: readonly KeyRecord[];
  /** Cursor of the next page; null when nothing follows. */
  readonly next: string | null;
}

/**
 * Lists keys by the status a reader sees. The store filters by stored status,
 * which differs for keys past their expiry or sunset that no job has marked
 * yet: those read `expired`. So a status filter scans in id order and keeps
 * matching rows, within a budget; a page may then hold fewer than `limit` keys
 * and still carry a `next` cursor.
 */
export async function listKeysByEffectiveStatus(
  store: Pick<KeyStore, "listKeys">,
  query: KeyListQuery,
  matches: (key: KeyRecord) => boolean,
): Promise<KeyListPage> {
  if (query.status === undefined) {
    const rows = await store.listKeys({
      consumerId: query.consumerId,
      after: query.after,
      limit: query.limit + 1,
    });
    const keys = rows.slice(0, query.limit);
    return { keys, next: rows.length > query.limit ? (keys.at(-1)?.id ?? null) : null };
  }
  // Only `active`, `deprecated` and `expired` rows can read `expired`; every other status reads as stored or not at all.
  const storedStatus = query.status === "expired" ? undefined : query.status;
  const keys: KeyRecord[] = [];
  let cursor = query.after;
  let scanned = 0;
  for (;;) {
    const rows = await store.listKeys({
      consumerId: query.consumerId,
      status: storedStatus,
      after: cursor,
      limit: BATCH,
    });
    for (const row of rows) {
      scanned++;
      cursor = row.id;
      if (!matches(row)) continue;
      if (keys.length === query.limit) return { keys, next: keys.at(-1)?.id ?? null };
      keys.push(row);
    }
    if (rows.length < BATCH) return { keys, next: null };
    if (scanned >= SCAN_BUDGET) return { keys, next: cursor ?? null };
  }
}
