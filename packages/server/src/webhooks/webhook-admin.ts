import type { KeyStore, WebhookStore } from "@keygate/core";
import { OutboundUrlGuard } from "./outbound-url-guard.ts";

/** What the webhook endpoints of the admin API need beyond `ServiceDeps`. */
export interface WebhookAdmin {
  /** Outbound-address policy applied to registered URLs (`webhooks.allowPrivateNetworks`). */
  readonly guard: OutboundUrlGuard;
}

/** The policy without configuration: private networks refused. */
export function defaultWebhookAdmin(): WebhookAdmin {
  return { guard: new OutboundUrlGuard({ allowPrivateNetworks: false }) };
}

function isWebhookStore(store: KeyStore): store is KeyStore & WebhookStore {
  const candidate = store as Partial<WebhookStore>;
  return typeof candidate.listWebhooks === "function" && typeof candidate.claimDeliveries === "function";
}

/**
 * The webhook port of the node's store. Every keygate store (memory, SQLite,
 * PostgreSQL) implements it on the same object as `KeyStore`; a bare
 * `KeyStore` (a test double) cannot serve webhooks.
 */
export function webhookStoreOf(store: KeyStore): KeyStore & WebhookStore {
  if (!isWebhookStore(store)) throw new Error("this store does not implement WebhookStore");
  return store;
}
