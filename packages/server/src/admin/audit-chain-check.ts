import type { AuditChainPosition, AuditChainVerdict, Hasher, KeyStore } from "@keygate/core";
import { AUDIT_CHAIN_START, verifyAuditChain } from "@keygate/core";

const PAGE_SIZE = 1000;

/**
 * Verifies the whole stored audit chain page by page (memory stays flat),
 * then compares the last entry with the store's recorded head, so a log whose
 * newest entries were deleted is caught as well as an edited or reordered one.
 */
export async function checkStoredAuditChain(
  store: Pick<KeyStore, "listAudit" | "auditHead">,
  hasher: Hasher,
): Promise<AuditChainVerdict> {
  let position: AuditChainPosition = AUDIT_CHAIN_START;
  let entries = 0;
  for (;;) {
    const page = await store.listAudit({ after: String(position.seq), limit: PAGE_SIZE });
    const verdict = verifyAuditChain(hasher, page, position);
    if (!verdict.ok) return verdict;
    entries += verdict.entries;
    const last = page.at(-1);
    if (last !== undefined) position = { seq: last.seq, hash: last.hash };
    if (page.length < PAGE_SIZE) break;
  }
  const head = (await store.auditHead()) ?? AUDIT_CHAIN_START;
  if (head.seq !== position.seq)
    return { ok: false, seq: Math.min(head.seq, position.seq) + 1, problem: "missing" };
  if (head.hash !== position.hash) return { ok: false, seq: position.seq, problem: "edited" };
  return { ok: true, entries, headHash: position.hash };
}
