import type { KeyStore, OverviewStore, UsageStore } from "@keygate/core";

/** A store that also answers usage and overview reads (every keygate store does). */
export type AnalyticsReadStore = KeyStore & UsageStore & OverviewStore;

function isAnalyticsStore(store: KeyStore): store is AnalyticsReadStore {
  const s = store as Partial<AnalyticsReadStore>;
  return (
    typeof s.keyUsage === "function" &&
    typeof s.totalUsage === "function" &&
    typeof s.countKeysByStatus === "function" &&
    typeof s.listEvents === "function"
  );
}

/** The analytics ports of the node's store; throws for a store without them (a wiring bug, not a request error). */
export function analyticsStoreOf(store: KeyStore): AnalyticsReadStore {
  if (!isAnalyticsStore(store))
    throw new Error("the key store does not implement UsageStore and OverviewStore");
  return store;
}
