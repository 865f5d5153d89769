import type { ErrorCode } from "@keygate/core";

/**
 * Problem details for the gateway's own refusals. Fixed, secret-free texts:
 * nothing from the request (least of all the key) is echoed back.
 */
export const GATEWAY_DETAILS: Readonly<Partial<Record<ErrorCode, string>>> = Object.freeze({
  KEY_MISSING: "Send the API key in the x-api-key header or as Authorization: Bearer <key>.",
  KEY_MALFORMED:
    "The API key does not have the kg_<env>_<random>_<checksum> shape, or its checksum does not match.",
  KEY_NOT_FOUND: "No such API key.",
  KEY_EXPIRED: "The API key has expired; use its successor.",
  KEY_REVOKED: "The API key has been revoked.",
  CONSUMER_DISABLED: "The consumer that owns this API key is disabled.",
  IP_NOT_ALLOWED:
    "This API key may only be used from the IP addresses on its allowlist, and this request came from another address.",
  SCOPE_DENIED: "The API key lacks a scope this route requires.",
  RATE_LIMITED: "Rate limit exceeded; retry after the indicated time.",
  QUOTA_EXCEEDED: "Quota exceeded for the current period.",
  STORE_UNAVAILABLE: "The key store is unreachable and this key is not cached; retry shortly.",
  UPSTREAM_UNAVAILABLE: "The upstream API did not answer.",
  PAYLOAD_TOO_LARGE: "The request body exceeds the gateway's limit.",
  INTERNAL: "An unexpected error occurred; it has been logged.",
});

export const CONFLICTING_KEYS_DETAIL = "x-api-key and Authorization: Bearer carry different keys; send one.";

export function scopeDeniedDetail(required: readonly string[]): string {
  return `This route requires the scope${required.length === 1 ? "" : "s"}: ${required.join(", ")}.`;
}

export function gatewayDetail(code: ErrorCode): string {
  return GATEWAY_DETAILS[code] ?? "Request refused.";
}
