import type { OutboxEvent } from "@keygate/core";

/**
 * The body of every attempt for an event, in the Standard Webhooks shape
 * `{type, timestamp, data}`. `data` is the outbox event's payload, written
 * secret-free by the use case that caused it. Serialized once at fan-out and
 * stored, so every retry sends (and signs) the same bytes.
 */
export function webhookPayload(event: Pick<OutboxEvent, "type" | "at" | "data">): string {
  return JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data: event.data });
}
