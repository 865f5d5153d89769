import { useSyncExternalStore } from "react";
import { subscribeToLocation } from "../lib/navigation.ts";

/** The address bar's path, re-read on navigation and on back/forward. */
export function useLocationPath(): string {
  return useSyncExternalStore(
    subscribeToLocation,
    () => window.location.pathname,
    () => "/",
  );
}
