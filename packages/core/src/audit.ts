import type { AuditEntry, AuditInput } from "./model.ts";
import type { Hasher } from "./ports.ts";

export const GENESIS_HASH = "0".repeat(64);

/**
 * Deterministic JSON: object keys sorted at every depth, no whitespace.
 * Otherwise it follows `JSON.stringify` (`toJSON`, dropped `undefined` and
 * function members), so an entry hashes the same before it is stored and
 * after a JSON round trip through the store.
 */
export function canonicalJson(value: unknown): string {
  const plain = hasToJson(value) ? value.toJSON() : value;
  if (plain === null || typeof plain !== "object") return JSON.stringify(plain) ?? "null";
  if (Array.isArray(plain)) return `[${plain.map((v) => canonicalJson(v)).join(",")}]`;
  const record = plain as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => JSON.stringify(record[k]) !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}

/**
 * The hash of an audit entry covers its sequence number, content and the
 * previous entry's hash, so editing, deleting or reordering any entry breaks
 * every later link.
 */
export function auditEntryHash(hasher: Hasher, seq: number, prevHash: string, input: AuditInput): string {
  return hasher.sha256Hex(
    canonicalJson({
      seq,
      prevHash,
      at: input.at,
      actor: input.actor,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      data: input.data,
    }),
  );
}

export type AuditChainVerdict =
  | { readonly ok: true; readonly entries: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly problem: "edited" | "missing" | "reordered" | "broken_link";
    };

/** The last entry already verified: where a verification resumes. */
export interface AuditChainPosition {
  readonly seq: number;
  readonly hash: string;
}

/** Before the first entry. */
export const AUDIT_CHAIN_START: AuditChainPosition = { seq: 0, hash: GENESIS_HASH };

/**
 * Walks entries in storage order and names the first one that does not fit.
 * By default the first entry must be seq 1 linked to the genesis hash; pass
 * `from` (the last entry of the previous page) to verify a long log page by page.
 */
export function verifyAuditChain(
  hasher: Hasher,
  entries: Iterable<AuditEntry>,
  from: AuditChainPosition = AUDIT_CHAIN_START,
): AuditChainVerdict {
  let expectedSeq = from.seq + 1;
  let prevHash = from.hash;
  let count = 0;
  // A seq that is skipped is "missing" only if it does not turn up later in the walk.
  let skipped: number | null = null;
  for (const entry of entries) {
    if (skipped !== null) {
      if (entry.seq === skipped) return { ok: false, seq: skipped, problem: "reordered" };
      continue;
    }
    if (entry.seq !== expectedSeq) {
      if (entry.seq < expectedSeq) return { ok: false, seq: expectedSeq, problem: "reordered" };
      skipped = expectedSeq;
      continue;
    }
    if (entry.prevHash !== prevHash) return { ok: false, seq: entry.seq, problem: "broken_link" };
    if (auditEntryHash(hasher, entry.seq, entry.prevHash, entry) !== entry.hash) {
      return { ok: false, seq: entry.seq, problem: "edited" };
    }
    prevHash = entry.hash;
    expectedSeq++;
    count++;
  }
  if (skipped !== null) return { ok: false, seq: skipped, problem: "missing" };
  return { ok: true, entries: count, headHash: prevHash };
}
