import type { MailKind } from "@keygate/core";

/** The kinds of consumer mail this build has templates for. */
export const MAIL_KINDS: readonly MailKind[] = ["sign_in"];
