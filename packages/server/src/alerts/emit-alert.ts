import type { EventType, Metadata } from "@keygate/core";
import { eventId, type ServiceDeps } from "../services/service-deps.ts";

/**
 * Writes one alert to the outbox, from where webhooks deliver it and
 * `GET /v1/alerts` lists it. Alerts change no state, so they carry no audit
 * entry. Returns false if the store refused the commit.
 */
export async function emitAlert(deps: ServiceDeps, type: EventType, data: Metadata): Promise<boolean> {
  const now = deps.clock.now();
  const result = await deps.store.commit({
    writes: [],
    audit: [],
    events: [{ id: eventId(deps, now), type, at: now, data }],
  });
  return result.ok;
}

/** Claims the dedupe window, writes the alert, and gives the window back if the write failed. */
export async function emitOnce(
  deps: ServiceDeps,
  dedupe: { claim(key: string, ttlMs: number): Promise<boolean>; release(key: string): Promise<void> },
  alert: {
    readonly type: EventType;
    readonly dedupeKey: string;
    readonly dedupeMs: number;
    readonly data: Metadata;
  },
): Promise<boolean> {
  if (!(await dedupe.claim(alert.dedupeKey, alert.dedupeMs))) return false;
  let written = false;
  try {
    written = await emitAlert(deps, alert.type, alert.data);
  } finally {
    if (!written) await dedupe.release(alert.dedupeKey).catch(() => undefined);
  }
  return written;
}
