import type {
  CounterSnapshotStore,
  Hasher,
  KeyStore,
  LeaseStore,
  OperatorStore,
  OverviewStore,
  PolicyStore,
  PortalStore,
  RetentionStore,
  StoreStatsSource,
  UsageStore,
  WebhookStore,
} from "@keygate/core";
import { MemoryKeyStore } from "./memory/memory-key-store.ts";
import { PostgresKeyStore } from "./sql/postgres-key-store.ts";
import { SqliteKeyStore } from "./sql/sqlite-key-store.ts";

export interface KeyStoreDeps {
  /** Hashes audit entries; `nodeHasher` at runtime. */
  readonly hasher: Hasher;
}

/** Every port one database serves: keys, webhooks, job leases, limit counter snapshots, usage and overview reads, retention and table stats. */
export type KeygateStore = KeyStore &
  WebhookStore &
  LeaseStore &
  CounterSnapshotStore &
  UsageStore &
  OverviewStore &
  PolicyStore &
  OperatorStore &
  PortalStore &
  RetentionStore &
  StoreStatsSource;

/**
 * The store named by `KEYGATE_DATABASE_URL`:
 * - `sqlite:<path>` — a file, relative to the working directory (`sqlite:./data/keygate.db`),
 *   or `sqlite::memory:`;
 * - `postgres://…` / `postgresql://…`;
 * - `memory:` — nothing durable (tests, demos).
 * Throws for anything else. Opens nothing yet: call `migrate()` next.
 */
export function createKeyStore(url: string, deps: KeyStoreDeps): KeygateStore {
  if (url === "memory:") return new MemoryKeyStore({ hasher: deps.hasher });
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") throw new Error('database URL "sqlite:" needs a path, e.g. sqlite:./data/keygate.db');
    return new SqliteKeyStore({ path, hasher: deps.hasher });
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    return new PostgresKeyStore({ connectionString: url, hasher: deps.hasher });
  }
  throw new Error(
    `unsupported database URL scheme "${url.split(":")[0] ?? ""}:": use sqlite:<path>, postgres://…, or memory:`,
  );
}
