import type { Hasher } from "@keygate/core";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { KyselyKeyStore } from "./kysely-key-store.ts";
import { postgresDialect } from "./postgres-dialect.ts";
import type { KeygateDatabase } from "./schema.ts";

export interface PostgresKeyStoreOptions {
  /** `postgres://user:pass@host:port/db`. Never echoed in errors: it may hold a password. */
  readonly connectionString: string;
  readonly hasher: Hasher;
  /** Pool size per node. Default 10. */
  readonly maxConnections?: number;
  /**
   * How long to wait for a connection before `STORE_UNAVAILABLE`: to connect,
   * and also to get one from a pool whose connections are all busy (pg-pool
   * has one timeout for both), so an overloaded node sheds load. Default 2000 ms.
   */
  readonly connectTimeoutMs?: number;
}

const INT8_OID = 20;

/**
 * BIGINT (timestamps in ms, audit seqs, counts) as a JS number instead of
 * pg's default string: every value we store is far below 2^53. Set per pool,
 * not on pg's global registry, so other pg users in the process are unaffected.
 */
const int8AsNumber = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? "text");
  },
};

/** The `KeyStore` on PostgreSQL; several nodes may share one database. */
export class PostgresKeyStore extends KyselyKeyStore {
  constructor(options: PostgresKeyStoreOptions) {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      types: int8AsNumber,
    });
    // An idle client whose server went away emits here; without a listener
    // that would crash the process. The pool drops the client, and the next
    // query reconnects or reports STORE_UNAVAILABLE.
    pool.on("error", () => undefined);
    // A checked-out client whose server goes away emits "error" too, and the
    // pool listens only while the client is idle. The query in flight already
    // fails with the same error (→ STORE_UNAVAILABLE); the pool then discards
    // the client because it is no longer queryable.
    pool.on("connect", (client) => {
      client.on("error", () => undefined);
    });
    const db = new Kysely<KeygateDatabase>({ dialect: new PostgresDialect({ pool }) });
    super({ db, dialect: postgresDialect, hasher: options.hasher });
  }
}
