import type { KeyUsageSum, UsageCount, UsageRange, UsageSum } from "@keygate/core";

/** Usage counts in process: (keyId, minute, code) → count. */
export class MemoryUsageTable {
  readonly #rows = new Map<string, UsageCount>();

  add(counts: readonly UsageCount[]): void {
    for (const c of counts) {
      if (!(c.count > 0)) continue;
      const id = `${c.keyId}\u0000${c.minute}\u0000${c.code}`;
      const row = this.#rows.get(id);
      this.#rows.set(id, {
        keyId: c.keyId,
        minute: c.minute,
        code: c.code,
        count: (row?.count ?? 0) + c.count,
      });
    }
  }

  keyUsage(keyIds: readonly string[], range: UsageRange): KeyUsageSum[] {
    const wanted = new Set(keyIds);
    return this.#sum(range, (row) => wanted.has(row.keyId), true).map(([keyId, sum]) => ({ keyId, ...sum }));
  }

  totalUsage(range: UsageRange): UsageSum[] {
    return this.#sum(range, () => true, false).map(([, sum]) => sum);
  }

  /** Sums rows in range per (key when `byKey`, bucket, code). */
  #sum(range: UsageRange, include: (row: UsageCount) => boolean, byKey: boolean): Array<[string, UsageSum]> {
    const sums = new Map<string, [string, UsageSum]>();
    for (const row of this.#rows.values()) {
      if (row.minute < range.from || row.minute >= range.to || !include(row)) continue;
      const at = Math.floor(row.minute / range.bucketMs) * range.bucketMs;
      const keyId = byKey ? row.keyId : "";
      const id = `${keyId}\u0000${at}\u0000${row.code}`;
      const seen = sums.get(id);
      sums.set(id, [keyId, { at, code: row.code, count: (seen?.[1].count ?? 0) + row.count }]);
    }
    return [...sums.values()];
  }
}
