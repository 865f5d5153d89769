import type { GatewayVerifier } from "../gateway/gateway-server.ts";
import type { VerifierStats } from "../verify/verifier.ts";
import type { VerifyOutcome } from "../verify/verify-outcome.ts";
import type { VerificationMetrics } from "./verification-metrics.ts";

/** What is timed: the node's `Verifier`. */
export interface TimeableVerifier {
  verify(
    secret: string | undefined,
    requiredScopes: readonly string[],
    clientIp?: string,
  ): VerifyOutcome | Promise<VerifyOutcome>;
  stats(): VerifierStats;
}

/**
 * The verifier with every call counted by outcome and timed. A synchronous
 * answer (memory) costs two clock reads and a few array writes; only an
 * answer that needed the store (already a promise) gets one more callback.
 */
export class TimedVerifier implements GatewayVerifier {
  readonly #inner: TimeableVerifier;
  readonly #metrics: VerificationMetrics;

  constructor(inner: TimeableVerifier, metrics: VerificationMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  verify(
    secret: string | undefined,
    requiredScopes: readonly string[],
    clientIp?: string,
  ): VerifyOutcome | Promise<VerifyOutcome> {
    const start = performance.now();
    const result = this.#inner.verify(secret, requiredScopes, clientIp);
    if (result instanceof Promise) {
      return result.then((outcome) => {
        this.#metrics.record(outcome.code, (performance.now() - start) / 1000, "store");
        return outcome;
      });
    }
    this.#metrics.record(result.code, (performance.now() - start) / 1000, "memory");
    return result;
  }

  stats(): VerifierStats {
    return this.#inner.stats();
  }
}
