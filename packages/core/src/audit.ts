import type { AuditEntry, AuditInput } from "./model.ts";
import type { Hasher } from "./ports.ts";

export const GENESIS_HASH = "0".repeat(64);

/** Deterministic JSON: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
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
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      return { ok: false, seq: expectedSeq, problem: entry.seq > expectedSeq ? "missing" : "reordered" };
    }
    if (entry.prevHash !== prevHash) return { ok: false, seq: entry.seq, problem: "broken_link" };
    if (auditEntryHash(hasher, entry.seq, entry.prevHash, entry) !== entry.hash) {
      return { ok: false, seq: entry.seq, problem: "edited" };
    }
    prevHash = entry.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, entries: count, headHash: prevHash };
}
