import type { EventType } from "@keygate/core";

/** The events `GET /v1/alerts` lists: the ones an operator should look at, out of every outbox event. */
export const ALERT_EVENT_TYPES: readonly EventType[] = Object.freeze([
  "key.deprecated_in_use",
  "key.sunset_approaching",
  "auth.failure_spike",
  "key.leaked",
  "key.rotation_due",
  "quota.threshold",
]);
