/**
 * Bounds sign-in link requests per address and per client IP in a sliding
 * hour, so the portal cannot be used to flood a mailbox or to probe many
 * addresses. Per node (each node keeps its own counts): with N nodes behind
 * a balancer the bound is at most N times the configured one, which still
 * stops a flood; the cap on tracked entries keeps memory bounded under a
 * spray of addresses.
 */
export class LoginThrottle {
  readonly #perAddress: number;
  readonly #perIp: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #hits = new Map<string, number[]>();

  constructor(options: { perAddressPerHour: number; perIpPerHour: number; maxTracked?: number }) {
    this.#perAddress = options.perAddressPerHour;
    this.#perIp = options.perIpPerHour;
    this.#windowMs = 3_600_000;
    this.#maxTracked = options.maxTracked ?? 100_000;
  }

  /**
   * Counts one request for `address` from `ip` if both are under their bound
   * and returns 0; otherwise counts nothing and returns the seconds until the
   * earliest slot frees up.
   */
  take(address: string, ip: string, now: number): number {
    const a = this.#recent(`a:${address}`, now);
    const i = this.#recent(`i:${ip}`, now);
    const waits: number[] = [];
    if (a.length >= this.#perAddress) waits.push((a[0] ?? now) + this.#windowMs - now);
    if (i.length >= this.#perIp) waits.push((i[0] ?? now) + this.#windowMs - now);
    if (waits.length > 0) return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    this.#record(`a:${address}`, a, now);
    this.#record(`i:${ip}`, i, now);
    return 0;
  }

  #recent(key: string, now: number): number[] {
    const hits = this.#hits.get(key);
    if (hits === undefined) return [];
    const from = now - this.#windowMs;
    while (hits.length > 0 && (hits[0] ?? 0) <= from) hits.shift();
    return hits;
  }

  #record(key: string, hits: number[], now: number): void {
    hits.push(now);
    this.#hits.delete(key);
    this.#hits.set(key, hits);
    // Oldest-touched first: Map keeps insertion order, and each touch re-inserts.
    while (this.#hits.size > this.#maxTracked) {
      const oldest = this.#hits.keys().next().value;
      if (oldest === undefined) break;
      this.#hits.delete(oldest);
    }
  }
}
