import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/api-error.ts";
import { usePageVisible } from "./use-page-visible.ts";

/** Live refresh period of the dashboard's data. */
export const POLL_MS = 3_000;

export interface Polled<T> {
  /** The last successful answer; kept while a later refresh fails. */
  readonly data: T | undefined;
  /** The last refresh's failure, cleared by the next success. */
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  /** When `data` was fetched (ms since the epoch). */
  readonly updatedAt: number | undefined;
  /** Fetch now (after a change the operator made), then keep polling. */
  refresh(): void;
}

interface State<T> {
  readonly key: string;
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly updatedAt: number | undefined;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 0,
    code: "CLIENT",
    title: "Something went wrong",
    detail: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Calls `load` now and every `intervalMs` after the previous call finished
 * (never two at once), only while the tab is visible. A new `key` (the
 * resource being shown) drops the old data and starts over.
 */
export function usePolling<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number = POLL_MS,
): Polled<T> {
  const visible = usePageVisible();
  const loadRef = useRef(load);
  loadRef.current = load;
  const [state, setState] = useState<State<T>>({
    key,
    data: undefined,
    error: undefined,
    updatedAt: undefined,
  });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((value) => value + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the manual refresh trigger.
  useEffect(() => {
    if (!visible) return;
    const controller = new AbortController();
    let timer: number | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        if (controller.signal.aborted) return;
        setState({ key, data, error: undefined, updatedAt: Date.now() });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          key,
          data: previous.key === key ? previous.data : undefined,
          error: asApiError(error),
          updatedAt: previous.key === key ? previous.updatedAt : undefined,
        }));
      }
      if (!controller.signal.aborted) timer = window.setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [key, intervalMs, visible, tick]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || (state.data === undefined && state.error === undefined),
    updatedAt: current ? state.updatedAt : undefined,
    refresh,
  };
}
