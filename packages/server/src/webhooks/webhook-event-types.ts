import type { EventType, WebhookEventFilter } from "@keygate/core";

/** Every contract event (DESIGN.md "Events"); the mapped type makes a missing one a compile error. */
const EVENTS: { readonly [T in EventType]: true } = {
  "key.created": true,
  "key.rotated": true,
  "key.deprecated_in_use": true,
  "key.sunset_approaching": true,
  "key.expired": true,
  "key.revoked": true,
  "key.leaked": true,
  "key.rotation_due": true,
  "rotation.completed": true,
  "rotation.rolled_back": true,
  "auth.failure_spike": true,
  "quota.threshold": true,
};

export const WEBHOOK_EVENT_TYPES = Object.keys(EVENTS) as EventType[];

/** Whether an endpoint subscribed with `filters` receives events of `type`. */
export function subscribes(filters: readonly WebhookEventFilter[], type: EventType): boolean {
  return filters.includes("*") || filters.includes(type);
}
