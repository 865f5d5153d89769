import type { KeyUsageSum, UsageCount, UsageRange, UsageSum } from "@keygate/core";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A usage row at some granularity: `at` is the start of its minute, hour or day. */
interface UsageRow {
  readonly keyId: string;
  readonly at: number;
  readonly code: string;
  count: number;
}

type Rows = Map<string, UsageRow>;

const rowId = (keyId: string, at: number, code: string) => `${keyId}\u0000${at}\u0000${code}`;

function addRow(rows: Rows, keyId: string, at: number, code: string, count: number): void {
  const id = rowId(keyId, at, code);
  const row = rows.get(id);
  if (row === undefined) rows.set(id, { keyId, at, code, count });
  else row.count += count;
}

/**
 * Usage counts in process: (keyId, minute, code) → count, and the hourly and
 * daily roll-ups retention moves old minutes and hours into. Every request is
 * in exactly one of the three tables; reads sum all three, as the SQL stores
 * do (see usage-queries.ts for where rolled-up rows land in a series).
 */
export class MemoryUsageTable {
  readonly #minutes: Rows = new Map();
  readonly #hours: Rows = new Map();
  readonly #days: Rows = new Map();

  add(counts: readonly UsageCount[]): void {
    for (const c of counts) {
      if (c.count > 0) addRow(this.#minutes, c.keyId, c.minute, c.code, c.count);
    }
  }

  keyUsage(keyIds: readonly string[], range: UsageRange): KeyUsageSum[] {
    const wanted = new Set(keyIds);
    return this.#sum(range, (row) => wanted.has(row.keyId), true).map(([keyId, sum]) => ({ keyId, ...sum }));
  }

  totalUsage(range: UsageRange): UsageSum[] {
    return this.#sum(range, () => true, false).map(([, sum]) => sum);
  }

  /** Moves up to `limit` of the oldest minute rows before `before` into their hours. Synchronous, hence atomic. */
  rollUpMinutes(before: number, limit: number): number {
    return this.#move(this.#minutes, this.#hours, HOUR_MS, before, limit);
  }

  /** Moves up to `limit` of the oldest hour rows before `before` into their days. */
  rollUpHours(before: number, limit: number): number {
    return this.#move(this.#hours, this.#days, DAY_MS, before, limit);
  }

  /** Rows per table, for `storeStats`. */
  rowCounts(): { minutes: number; hours: number; days: number } {
    return { minutes: this.#minutes.size, hours: this.#hours.size, days: this.#days.size };
  }

  #move(from: Rows, to: Rows, bucketMs: number, before: number, limit: number): number {
    const oldest = [...from.entries()]
      .filter(([, row]) => row.at < before)
      .sort(([, a], [, b]) => a.at - b.at)
      .slice(0, limit);
    for (const [id, row] of oldest) {
      from.delete(id);
      addRow(to, row.keyId, Math.floor(row.at / bucketMs) * bucketMs, row.code, row.count);
    }
    return oldest.length;
  }

  /** Sums rows whose start lies in range, per (key when `byKey`, bucket, code). */
  #sum(range: UsageRange, include: (row: UsageRow) => boolean, byKey: boolean): Array<[string, UsageSum]> {
    const sums = new Map<string, [string, UsageSum]>();
    for (const table of [this.#minutes, this.#hours, this.#days]) {
      for (const row of table.values()) {
        if (row.at < range.from || row.at >= range.to || !include(row)) continue;
        const at = Math.floor(row.at / range.bucketMs) * range.bucketMs;
        const keyId = byKey ? row.keyId : "";
        const id = rowId(keyId, at, row.code);
        const seen = sums.get(id);
        sums.set(id, [keyId, { at, code: row.code, count: (seen?.[1].count ?? 0) + row.count }]);
      }
    }
    return [...sums.values()];
  }
}
