import { GENESIS_HASH } from "@keygate/core";

/**
 * Statements that empty a migrated keygate SQL schema (both dialects), so one
 * database can serve a whole test file: children before parents, and the
 * audit head back to genesis.
 */
export const RESET_SQL_STORE = [
  "delete from webhook_attempts",
  "delete from webhook_deliveries",
  "delete from webhooks",
  "delete from job_leases",
  "delete from outbox",
  "delete from audit_log",
  "delete from rotations",
  "delete from keys",
  "delete from portal_sessions",
  "delete from operator_sessions",
  "delete from portal_tokens",
  "delete from mail_messages",
  "delete from consumer_mail_settings",
  "delete from consumers",
  "delete from plans",
  "delete from admin_tokens",
  `update audit_head set seq = 0, hash = '${GENESIS_HASH}'`,
];
