import type { AuditVerdict } from "../../api/types.ts";

const PROBLEMS = {
  edited: "an entry was edited",
  missing: "an entry is missing",
  reordered: "entries were reordered",
  broken_link: "the hash chain is broken",
};

export interface AuditVerifyBannerProps {
  readonly verdict: AuditVerdict;
}

/** The verdict of walking the whole hash chain (GET /v1/audit/verify). */
export function AuditVerifyBanner({ verdict }: AuditVerifyBannerProps) {
  if (verdict.ok)
    return (
      <div className="banner banner-ok" role="status" data-testid="audit-verdict">
        <strong>Chain verified.</strong> All {verdict.entries} entries link up; head hash{" "}
        <code title={verdict.headHash}>{verdict.headHash.slice(0, 16)}…</code>
      </div>
    );
  return (
    <div className="banner banner-bad" role="alert" data-testid="audit-verdict">
      <strong>Chain broken at entry {verdict.seq}:</strong> {PROBLEMS[verdict.problem]}. The log after this
      point cannot be trusted.
    </div>
  );
}
