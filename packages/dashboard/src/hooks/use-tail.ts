import { useRef } from "react";
import type { Page } from "../api/types.ts";
import { POLL_MS, type Polled, usePolling } from "./use-polling.ts";

/** Pages fetched per refresh at most; a long backlog is caught up over a few refreshes. */
const MAX_PAGES_PER_REFRESH = 10;

interface Tail<T> {
  readonly key: string;
  readonly items: readonly T[];
  /** The cursor just before `items[0]` (undefined: the list's start). */
  readonly before: string | undefined;
  /** The cursor of the last item seen. */
  readonly last: string | undefined;
}

export interface TailOptions<T> {
  readonly cursorOf: (item: T) => string;
  /** How many of the newest items are kept (oldest first). */
  readonly maxItems: number;
  /**
   * Items change after they are listed (a delivery goes from pending to
   * delivered): each refresh reads the kept window again instead of only
   * what came after it.
   */
  readonly mutable?: boolean;
  readonly intervalMs?: number;
}

/**
 * Follows a list paged forward with `after` (audit entries, alerts,
 * deliveries): the first load walks to its end, and each refresh asks only
 * for what came after the last item seen — or, for a mutable list, for the
 * kept window and what follows it. Keeps the newest `maxItems`, oldest first.
 */
export function useTail<T>(
  key: string,
  fetchPage: (after: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  options: TailOptions<T>,
): Polled<readonly T[]> {
  const { cursorOf, maxItems, mutable = false, intervalMs = POLL_MS } = options;
  const tail = useRef<Tail<T>>({ key, items: [], before: undefined, last: undefined });
  return usePolling(
    key,
    async (signal) => {
      const start: Tail<T> =
        tail.current.key === key ? tail.current : { key, items: [], before: undefined, last: undefined };
      let items: T[] = mutable ? [] : [...start.items];
      let before = start.before;
      let cursor = mutable ? start.before : start.last;
      for (let page = 0; page < MAX_PAGES_PER_REFRESH; page++) {
        const answer = await fetchPage(cursor, signal);
        items.push(...answer.data);
        const lastItem = answer.data.at(-1);
        if (lastItem !== undefined) cursor = cursorOf(lastItem);
        if (answer.next === null || lastItem === undefined) break;
      }
      if (items.length > maxItems) {
        const dropped = items.at(-maxItems - 1);
        if (dropped !== undefined) before = cursorOf(dropped);
        items = items.slice(-maxItems);
      }
      const lastKept = items.at(-1);
      tail.current = { key, items, before, last: lastKept === undefined ? start.last : cursorOf(lastKept) };
      return items;
    },
    intervalMs,
  );
}
