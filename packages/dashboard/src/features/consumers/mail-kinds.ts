/** Consumer mail kinds as an operator reads them (docs/notifications.md "What is mailed"). */
const LABELS: Readonly<Record<string, string>> = {
  sign_in: "Sign-in link",
  key_created: "Key created",
  rotation_due: "Rotation due",
  sunset_in_use: "Old key in use near sunset",
  expired_in_use: "Expired key in use",
  key_revoked: "Key revoked",
  key_leaked: "Key leaked",
  quota_80: "Quota at 80 %",
  quota_100: "Quota used up",
};

export function mailKindLabel(kind: string): string {
  return LABELS[kind] ?? kind;
}

/** A queued mail that has already failed once is being retried: its own state for the operator. */
export function mailState(mail: { readonly status: string; readonly attempts: number }): string {
  return mail.status === "queued" && mail.attempts > 0 ? "retrying" : mail.status;
}
