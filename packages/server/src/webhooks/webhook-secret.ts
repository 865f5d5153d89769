import type { Random } from "@keygate/core";

export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** 256 bits: the Standard Webhooks libraries accept 24–64 bytes. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` + base64 of 32 CSPRNG bytes, as the `standardwebhooks` package expects. */
export function generateWebhookSecret(random: Random): string {
  return `${WEBHOOK_SECRET_PREFIX}${Buffer.from(random.bytes(SECRET_BYTES)).toString("base64")}`;
}
