import type { LeakPolicy } from "../services/report-leak.ts";
import type { LeakSignatureVerifier } from "./leak-signature.ts";

/**
 * What `POST /v1/leaks` needs, built by the composition root when
 * `KEYGATE_LEAK_PUBLIC_KEYS` is set. Without it the route refuses every
 * report with 401: nothing could prove where a report came from.
 */
export interface LeakIntake {
  /** Checks GitHub's signature over the raw body against the configured public keys. */
  readonly signature: LeakSignatureVerifier;
  /** Revoke, or rotate with a short overlap. */
  readonly policy: LeakPolicy;
}
