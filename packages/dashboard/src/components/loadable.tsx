import type { ReactNode } from "react";
import { isMissingEndpoint } from "../api/api-error.ts";
import type { Polled } from "../hooks/use-polling.ts";
import { EmptyState } from "./empty-state.tsx";
import { LoadingState } from "./loading-state.tsx";
import { ProblemMessage } from "./problem-message.tsx";

export interface LoadableProps<T> {
  readonly polled: Polled<T>;
  /** Lower-case noun for the states: "consumers", "audit entries". */
  readonly label: string;
  /**
   * The endpoint may not exist on this server yet (api-additions.md): a
   * 404 NOT_FOUND is "no data yet", not an error.
   */
  readonly optional?: boolean;
  readonly children: (data: T) => ReactNode;
}

/** Loading, error and "not available yet" states around polled data; a failed refresh keeps the last data. */
export function Loadable<T>({ polled, label, optional = false, children }: LoadableProps<T>) {
  const { data, error } = polled;
  if (data === undefined) {
    if (error === undefined) return <LoadingState label={label} />;
    if (optional && isMissingEndpoint(error))
      return (
        <EmptyState title={`No ${label} yet`}>This keygate server does not provide them yet.</EmptyState>
      );
    return <ProblemMessage error={error} context={`Could not load ${label}`} onRetry={polled.refresh} />;
  }
  return (
    <>
      {error === undefined ? null : (
        <p className="stale-note" role="status">
          Showing earlier data: the last refresh failed ({error.detail || error.title}).
        </p>
      )}
      {children(data)}
    </>
  );
}
