import { useRef } from "react";
import type { Page } from "../api/types.ts";
import { POLL_MS, type Polled, usePolling } from "./use-polling.ts";

/** Pages fetched per refresh at most; a long backlog is caught up over a few refreshes. */
const MAX_PAGES_PER_REFRESH = 10;

interface Tail<T> {
  readonly key: string;
  readonly items: readonly T[];
  readonly cursor: string | undefined;
}

/**
 * Follows an append-only list paged forward with `after` (audit entries,
 * alerts): the first load walks to its end, and each refresh asks only for
 * what came after the last item seen. Keeps the newest `maxItems`, oldest first.
 */
export function useTail<T>(
  key: string,
  fetchPage: (after: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  cursorOf: (item: T) => string,
  maxItems: number,
  intervalMs: number = POLL_MS,
): Polled<readonly T[]> {
  const tail = useRef<Tail<T>>({ key, items: [], cursor: undefined });
  return usePolling(
    key,
    async (signal) => {
      let { items, cursor } =
        tail.current.key === key ? tail.current : { items: [] as readonly T[], cursor: undefined };
      for (let page = 0; page < MAX_PAGES_PER_REFRESH; page++) {
        const answer = await fetchPage(cursor, signal);
        const last = answer.data.at(-1);
        if (last !== undefined) {
          items = [...items, ...answer.data].slice(-maxItems);
          cursor = cursorOf(last);
        }
        if (answer.next === null || last === undefined) break;
      }
      tail.current = { key, items, cursor };
      return items;
    },
    intervalMs,
  );
}
