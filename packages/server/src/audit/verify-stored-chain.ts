import {
  AUDIT_CHAIN_START,
  type AuditChainPosition,
  type AuditChainVerdict,
  type Hasher,
  type KeyStore,
  verifyAuditChain,
} from "@keygate/core";

export interface VerifyStoredChainOptions {
  /** Entries read per `listAudit` call (1–1000). Default 1000. */
  readonly pageSize?: number;
}

/**
 * Verifies the audit log of a store page by page, in constant memory, and
 * names the first entry that does not fit. The head the store records apart
 * from the log is read FIRST: entries up to it must all be there and end in
 * its hash, so deleting the newest entries (which leaves a valid but shorter
 * chain) is reported as `missing`, and rewriting the newest entry with a
 * freshly computed hash as `edited`. Entries committed while the check runs
 * lie beyond that head and are left for the next check; an entry beyond a
 * head that did not move means the head itself was rolled back.
 */
export async function verifyStoredAuditChain(
  store: Pick<KeyStore, "listAudit" | "auditHead">,
  hasher: Hasher,
  options: VerifyStoredChainOptions = {},
): Promise<AuditChainVerdict> {
  const pageSize = options.pageSize ?? 1000;
  const head = (await store.auditHead()) ?? AUDIT_CHAIN_START;
  let position: AuditChainPosition = AUDIT_CHAIN_START;
  let entries = 0;
  while (position.seq < head.seq) {
    const page = await store.listAudit({ after: String(position.seq), limit: pageSize });
    const inScope = page.filter((entry) => entry.seq <= head.seq);
    if (inScope.length === 0) break;
    const verdict = verifyAuditChain(hasher, inScope, position);
    if (!verdict.ok) return verdict;
    entries += verdict.entries;
    position = { seq: position.seq + verdict.entries, hash: verdict.headHash };
    if (page.length < pageSize) break;
  }
  if (position.seq < head.seq) return { ok: false, seq: position.seq + 1, problem: "missing" };
  if (position.hash !== head.hash) return { ok: false, seq: head.seq, problem: "edited" };
  // An entry past the head is fine only if a commit moved the head meanwhile;
  // otherwise the head was rolled back under the log.
  const [beyond] = await store.listAudit({ after: String(head.seq), limit: 1 });
  if (beyond !== undefined && ((await store.auditHead())?.seq ?? 0) < beyond.seq) {
    return { ok: false, seq: beyond.seq, problem: "broken_link" };
  }
  return { ok: true, entries, headHash: position.hash };
}
