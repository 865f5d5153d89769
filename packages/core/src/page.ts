/** A keyset page: rows after a cursor, at most `limit` of them. Its own module so every store port can name it. */
export interface Page {
  /** Return rows whose id (or seq) sorts after this cursor. */
  readonly after?: string | undefined;
  /** 1–1000. */
  readonly limit: number;
}
