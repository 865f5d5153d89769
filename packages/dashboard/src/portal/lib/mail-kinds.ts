/**
 * What each kind of optional mail is about, in the consumer's words
 * (docs/notifications.md "What is mailed"). The server decides which kinds
 * exist; a kind it lists that this build has no words for still shows, by name.
 */
export interface MailKindText {
  readonly label: string;
  readonly hint: string;
}

export const OPTIONAL_MAIL_TEXT: Readonly<Record<string, MailKindText>> = {
  rotation_due: {
    label: "Rotation due",
    hint: "A key should be rotated: when it is due and when it stops working.",
  },
  sunset_in_use: {
    label: "Old key still in use before its sunset",
    hint: "An old key still gets requests shortly before it stops working, with that traffic.",
  },
  expired_in_use: {
    label: "Expired key still in use",
    hint: "A key expired while it was still being used in the hour before.",
  },
  quota_80: {
    label: "Quota at 80 %",
    hint: "You have used 80 % of this period's quota, and when it resets.",
  },
  quota_100: {
    label: "Quota used up",
    hint: "You have used all of this period's quota: requests are refused until it resets.",
  },
};

/** The order kinds are listed in: the known ones as above, then any others by name. */
export function optionalMailKinds(notifications: Readonly<Record<string, boolean>>): string[] {
  const known = Object.keys(OPTIONAL_MAIL_TEXT).filter((kind) => kind in notifications);
  const other = Object.keys(notifications)
    .filter((kind) => !(kind in OPTIONAL_MAIL_TEXT))
    .sort();
  return [...known, ...other];
}

export function mailKindText(kind: string): MailKindText {
  return OPTIONAL_MAIL_TEXT[kind] ?? { label: kind.replaceAll("_", " "), hint: "" };
}

/** Security mail, which always goes out (someone may be using the account or a key). */
export const SECURITY_MAIL = [
  "A key was created, by you or by your provider",
  "A key was revoked",
  "A key was reported leaked",
  "A sign-in link you asked for",
] as const;
