import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Hasher, KeygateError } from "@keygate/core";
import Database from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
import { errorField } from "./driver-errors.ts";
import { KyselyKeyStore } from "./kysely-key-store.ts";
import type { KeygateDatabase } from "./schema.ts";
import { sqliteDialect } from "./sqlite-dialect.ts";

export interface SqliteKeyStoreOptions {
  /** Database file (relative paths resolve against the working directory; the directory is created), or `:memory:`. */
  readonly path: string;
  readonly hasher: Hasher;
  /** How long a writer waits for another connection's write lock before `STORE_UNAVAILABLE`. Default 5000. */
  readonly busyTimeoutMs?: number;
}

const MEMORY = ":memory:";

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const file = path === MEMORY ? MEMORY : resolve(path);
  try {
    if (file !== MEMORY) mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new KeygateError(
      "STORE_UNAVAILABLE",
      `SQLite database directory cannot be created (${errorField(error, "code") ?? "error"})`,
    );
  }
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    // WAL: readers never wait for the writer, and other processes can share
    // the file. FULL sync keeps a committed change (and its outbox event)
    // across a power cut, not only a process crash.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Statements kept prepared per connection: every distinct query the store issues fits. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The slice of better-sqlite3 that kysely's dialect uses, with prepared
 * statements reused: kysely prepares on every call, and preparing costs more
 * than running an indexed lookup. Safe because kysely runs each statement to
 * completion synchronously (`all`/`run`) and SQLite re-prepares a statement by
 * itself when the schema changes.
 */
function withStatementCache(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The `KeyStore` on one SQLite file. The file is opened on first use, so
 * construction never fails; an unusable path surfaces as `STORE_UNAVAILABLE`
 * from `migrate()` or `ping()`. Several processes may share one file.
 */
export class SqliteKeyStore extends KyselyKeyStore {
  constructor(options: SqliteKeyStoreOptions) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const db = new Kysely<KeygateDatabase>({
      dialect: new SqliteDialect({
        database: async () => withStatementCache(openDatabase(options.path, busyTimeoutMs)),
      }),
    });
    super({ db, dialect: sqliteDialect(busyTimeoutMs), hasher: options.hasher });
  }
}
