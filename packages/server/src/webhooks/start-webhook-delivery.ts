import type { Clock, KeyStore, LeaseStore, Random, WebhookStore } from "@keygate/core";
import type { Logger } from "pino";
import type { KeygateConfig } from "../config/load-config.ts";
import { type LeasedJob, startLeasedJob } from "../jobs/job-lease.ts";
import { OutboundUrlGuard } from "./outbound-url-guard.ts";
import type { WebhookAdmin } from "./webhook-admin.ts";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./webhook-dispatcher.ts";
import { WebhookSender } from "./webhook-sender.ts";

/** The lease the dispatcher runs under: one node sends webhooks at a time. */
export const WEBHOOKS_JOB = "webhooks";
/** Claimed deliveries stay hidden this much longer than one attempt may take. */
const CLAIM_MARGIN_MS = 5000;

export interface WebhookDeliveryOptions {
  readonly store: KeyStore & WebhookStore & LeaseStore;
  readonly config: Pick<KeygateConfig, "webhooks" | "jobs">;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** This process's identity in job leases. */
  readonly holder: string;
  /** Consumer mail from the same outbox (see `WebhookDispatcherOptions.mailsFor`). */
  readonly mailsFor?: WebhookDispatcherOptions["mailsFor"];
}

export interface WebhookDelivery {
  /** For the admin API: the same outbound-address policy the dispatcher applies. */
  readonly admin: WebhookAdmin;
  readonly job: LeasedJob;
  stop(): Promise<void>;
}

/** Builds the guard, sender and dispatcher from the config and runs the dispatcher under its lease. */
export function startWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const { config, logger } = options;
  const settings = config.webhooks;
  const guard = new OutboundUrlGuard({ allowPrivateNetworks: settings.allowPrivateNetworks });
  const sender = new WebhookSender({ guard, timeoutMs: settings.timeoutMs });
  const dispatcher = new WebhookDispatcher({
    store: options.store,
    sender,
    clock: options.clock,
    random: options.random,
    logger,
    retry: {
      scheduleMs: settings.retryScheduleSeconds.map((seconds) => seconds * 1000),
      maxAttempts: settings.maxAttempts,
    },
    concurrency: settings.concurrency,
    claimLeaseMs: settings.timeoutMs + CLAIM_MARGIN_MS,
    mailsFor: options.mailsFor,
  });
  const job = startLeasedJob({
    name: WEBHOOKS_JOB,
    leases: options.store,
    holder: options.holder,
    ttlMs: config.jobs.leaseTtlMs,
    intervalMs: settings.pollIntervalMs,
    clock: options.clock,
    logger,
    pass: (signal) => dispatcher.runPass(signal),
  });
  return {
    admin: { guard },
    job,
    async stop() {
      await job.stop();
      await sender.close();
    },
  };
}
