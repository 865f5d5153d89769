import type { WebhookSigningSecrets } from "@keygate/core";
import { Webhook } from "standardwebhooks";

/** The Standard Webhooks headers of one attempt. */
export interface SignedHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

/**
 * Signs one attempt with the `standardwebhooks` package. `msgId` is the
 * event id, the same on every retry and redelivery, so a receiver dedupes
 * on it. While a rotated-out secret is in its overlap, its signature is sent
 * too (space-separated `v1,…` entries): receivers holding either secret verify.
 */
export function signDelivery(
  secrets: WebhookSigningSecrets,
  msgId: string,
  now: number,
  payload: string,
): SignedHeaders {
  const at = new Date(now);
  const signatures = [new Webhook(secrets.current).sign(msgId, at, payload)];
  if (secrets.previous !== null && secrets.previousExpiresAt !== null && now < secrets.previousExpiresAt) {
    signatures.push(new Webhook(secrets.previous).sign(msgId, at, payload));
  }
  return {
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(now / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
