/**
 * Shares one instance among equal values (scope sets, plan names), so a
 * million cached keys with a handful of distinct scope sets hold a handful of
 * arrays. Bounded: past `limit` distinct values, values are kept as given.
 */
export class Interner<T> {
  readonly #values = new Map<string, T>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  intern(identity: string, value: T): T {
    const known = this.#values.get(identity);
    if (known !== undefined) return known;
    if (this.#values.size < this.#limit) this.#values.set(identity, value);
    return value;
  }
}
