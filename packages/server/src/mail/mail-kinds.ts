import type { MailKind } from "@keygate/core";

/** The kinds of consumer mail this build has templates for. */
export const MAIL_KINDS: readonly MailKind[] = [
  "sign_in",
  "key_created",
  "rotation_due",
  "sunset_in_use",
  "expired_in_use",
  "key_revoked",
  "key_leaked",
  "quota_80",
  "quota_100",
];

/**
 * Security mail: a consumer cannot turn it off in the portal (someone may be
 * using their account or their key), though an operator can by config.
 */
export const SECURITY_MAIL_KINDS: ReadonlySet<MailKind> = new Set<MailKind>([
  "sign_in",
  "key_created",
  "key_revoked",
  "key_leaked",
]);

/** The kinds a consumer may turn off in the portal. */
export const OPTIONAL_MAIL_KINDS: readonly MailKind[] = MAIL_KINDS.filter(
  (kind) => !SECURITY_MAIL_KINDS.has(kind),
);
