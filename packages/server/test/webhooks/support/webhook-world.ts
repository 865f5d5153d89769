import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Actor } from "@keygate/core";
import { pino } from "pino";
import { LocalChangeBus } from "../../../src/cluster/local/local-change-bus.ts";
import { cryptoRandom, nodeHasher, systemClock } from "../../../src/platform/node-platform.ts";
import { createConsumer } from "../../../src/services/consumers.ts";
import type { ServiceDeps } from "../../../src/services/service-deps.ts";
import { createKeyStore, type KeygateStore } from "../../../src/store/create-key-store.ts";
import { OutboundUrlGuard, type Resolve } from "../../../src/webhooks/outbound-url-guard.ts";
import type { RetryPolicy } from "../../../src/webhooks/retry-policy.ts";
import type { WebhookAdmin } from "../../../src/webhooks/webhook-admin.ts";
import { type PassSummary, WebhookDispatcher } from "../../../src/webhooks/webhook-dispatcher.ts";
import { WebhookSender } from "../../../src/webhooks/webhook-sender.ts";

export const ADMIN: Actor = { type: "admin", id: "adm_test" };

export interface WorldOptions {
  readonly allowPrivateNetworks?: boolean;
  readonly resolve?: Resolve;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
}

/**
 * A node's webhook machinery on a real SQLite file, with the system clock
 * (receivers verify signature timestamps against real time) and a logger
 * whose lines the test can search for secrets.
 */
export interface WebhookWorld {
  readonly store: KeygateStore;
  readonly deps: ServiceDeps;
  readonly admin: WebhookAdmin;
  readonly dispatcher: WebhookDispatcher;
  readonly logLines: string[];
  /** A consumer to issue keys for. */
  consumerId(): Promise<string>;
  /** One dispatcher pass. */
  pass(): Promise<PassSummary>;
  /** Runs passes until `done` holds (or throws after `timeoutMs`). */
  until(done: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createWebhookWorld(options: WorldOptions = {}): Promise<WebhookWorld> {
  const dir = mkdtempSync(join(tmpdir(), "keygate-webhooks-"));
  const store = createKeyStore(`sqlite:${join(dir, "keygate.db")}`, { hasher: nodeHasher });
  await store.migrate();
  const bus = new LocalChangeBus();
  const deps: ServiceDeps = { store, clock: systemClock, random: cryptoRandom, hasher: nodeHasher, bus };
  const guard = new OutboundUrlGuard({
    allowPrivateNetworks: options.allowPrivateNetworks ?? true,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  const sender = new WebhookSender({ guard, timeoutMs: options.timeoutMs ?? 2000 });
  const logLines: string[] = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString("utf8"));
        done();
      },
    }),
  );
  const dispatcher = new WebhookDispatcher({
    store,
    sender,
    clock: systemClock,
    random: cryptoRandom,
    logger,
    retry: options.retry ?? { scheduleMs: [50], maxAttempts: 100 },
    concurrency: 4,
    claimLeaseMs: (options.timeoutMs ?? 2000) + 1000,
  });
  const pass = () => dispatcher.runPass(new AbortController().signal);
  return {
    store,
    deps,
    admin: { guard },
    dispatcher,
    logLines,
    async consumerId() {
      return (await createConsumer(deps, ADMIN, { name: "Acme" })).id;
    },
    pass,
    async until(done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await pass();
        if (await done()) return;
        if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await sender.close();
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
