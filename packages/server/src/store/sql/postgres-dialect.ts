import { KeygateError } from "@keygate/core";
import { sql } from "kysely";
import { errorChain, errorField } from "./driver-errors.ts";
import type { SqlDialect } from "./sql-dialect.ts";

/** Socket-level failures (Node) while connecting or talking to the server. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * SQLSTATEs meaning "the server cannot serve you now": admin/crash shutdown and
 * "starting up" (57P01-03), too many connections (53300), missing database
 * (3D000), rejected credentials (28000, 28P01). Class 08 (connection
 * exceptions) is matched by prefix.
 */
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300", "3D000", "28000", "28P01"]);

/** pg and pg-pool report lost, never-made or closed connections as plain messages. */
const LOST_CONNECTION =
  /Connection terminated|Client has encountered a connection error|Connection ended|Cannot use a pool after calling end|driver has already been destroyed/i;
/** pg-pool: no connection within the connect timeout, whether connecting or queueing for a busy pool. */
const NO_CONNECTION_IN_TIME = /timeout exceeded when trying to connect/i;

function unavailableCode(error: unknown): string | null {
  for (const e of errorChain(error)) {
    const code = errorField(e, "code");
    if (code !== undefined && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08"))) {
      return code;
    }
    const message = errorField(e, "message") ?? "";
    if (NO_CONNECTION_IN_TIME.test(message)) return "no connection within the connect timeout";
    if (LOST_CONNECTION.test(message)) return "connection lost";
  }
  return null;
}

/** PostgreSQL through pg: row locks exist, so the audit head is locked FOR UPDATE per append. */
export const postgresDialect: SqlDialect = {
  name: "postgres",
  jsonType: "jsonb",
  boolType: "boolean",
  rowLocks: true,
  busyDeadlineMs: 0,
  async begin(conn) {
    await sql`begin`.execute(conn);
    return true;
  },
  bool: (value) => value,
  readJson: (value) => value,
  constraintViolation(error) {
    const code = errorField(error, "code");
    const constraint = errorField(error, "constraint") ?? "unknown";
    if (code === "23505") return `unique constraint violated (${constraint})`;
    if (code === "23503") return `foreign key violated (${constraint}): a referenced row does not exist`;
    return null;
  },
  isRetryable(error) {
    const code = errorField(error, "code");
    return code === "40P01" || code === "40001";
  },
  translateError(error) {
    // JSONB and TEXT refuse NUL characters (22P05) and invalid UTF-8 (22021).
    const sqlState = errorField(error, "code");
    if (sqlState === "22P05" || sqlState === "22021") {
      return new KeygateError(
        "VALIDATION_FAILED",
        "text contains a character the database cannot store (NUL)",
      );
    }
    const code = unavailableCode(error);
    return code === null ? null : new KeygateError("STORE_UNAVAILABLE", `PostgreSQL unavailable (${code})`);
  },
  migrateInWriteTransaction: false,
};
