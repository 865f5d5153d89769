import { useState } from "react";
import { ApiError } from "../api/api-error.ts";

export interface Mutation<A extends unknown[], R> {
  readonly busy: boolean;
  /** The last failure (problem `detail` and field `errors[]`), cleared when the next run starts. */
  readonly error: ApiError | undefined;
  /** Resolves to the result, or undefined when the call failed (the error is then in `error`). */
  run(...args: A): Promise<R | undefined>;
}

/** One admin API change at a time, from a form or a button. */
export function useMutation<A extends unknown[], R>(action: (...args: A) => Promise<R>): Mutation<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  return {
    busy,
    error,
    async run(...args) {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        if (!(caught instanceof ApiError)) throw caught;
        setError(caught);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}
