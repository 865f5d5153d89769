import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventType, OutboxEventInput, RotationPolicy } from "@keygate/core";
import { LocalChangeBus } from "../../../src/cluster/local/local-change-bus.ts";
import { cryptoRandom, nodeHasher } from "../../../src/platform/node-platform.ts";
import { createConsumer } from "../../../src/services/consumers.ts";
import { issueKey } from "../../../src/services/issue-key.ts";
import type { ServiceDeps } from "../../../src/services/service-deps.ts";
import { createKeyStore, type KeygateStore } from "../../../src/store/create-key-store.ts";
import { TestClock } from "../../admin/support/admin-harness.ts";

/** One keygate node's view of the shared database: its own store connection and bus, one shared clock. */
export interface TestNode {
  readonly store: KeygateStore;
  readonly deps: ServiceDeps;
}

/**
 * Nodes on one real SQLite file, as several processes would share it, moved
 * by one hand-driven clock.
 */
export interface SqliteNodes {
  readonly clock: TestClock;
  readonly nodes: readonly TestNode[];
  /** The first node. */
  readonly a: TestNode;
  close(): Promise<void>;
}

const ADMIN = { type: "admin", id: "adm_test" } as const;

export async function openSqliteNodes(count = 2, start?: number): Promise<SqliteNodes> {
  const dir = mkdtempSync(join(tmpdir(), "keygate-alerts-"));
  const clock = new TestClock(start);
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const store = createKeyStore(`sqlite:${join(dir, "keygate.db")}`, { hasher: nodeHasher });
    await store.migrate();
    nodes.push({
      store,
      deps: { store, clock, random: cryptoRandom, hasher: nodeHasher, bus: new LocalChangeBus() },
    });
  }
  const first = nodes[0];
  if (first === undefined) throw new Error("at least one node");
  return {
    clock,
    nodes,
    a: first,
    async close() {
      for (const node of nodes) await node.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A consumer (with `policy`, if given) and one key through the real services. */
export async function consumerWithKey(deps: ServiceDeps, policy: RotationPolicy | null = null) {
  const consumer = await createConsumer(deps, ADMIN, { name: "Acme", rotationPolicy: policy });
  const issued = await issueKey(deps, ADMIN, consumer.id, { name: "App" });
  return { consumer, key: issued.key, secret: issued.secret };
}

/** Outbox events of the given types, in id order. */
export async function eventsOf(store: KeygateStore, ...types: EventType[]): Promise<OutboxEventInput[]> {
  return store.listEvents({ types, limit: 1000 });
}
