import type { Clock, LeaseStore, PortalStore, Random } from "@keygate/core";
import type { Logger } from "pino";
import type { KeygateConfig } from "../config/load-config.ts";
import { type LeasedJob, startLeasedJob } from "../jobs/job-lease.ts";
import { MailSender } from "./mail-sender.ts";
import { type MailTransport, smtpTransport } from "./mail-transport.ts";

/** The lease the mail sender runs under: one node sends consumer mail at a time. */
export const MAIL_JOB = "mail";
const CLAIM_MARGIN_MS = 5000;

export interface MailDeliveryOptions {
  readonly store: PortalStore & LeaseStore;
  readonly config: Pick<KeygateConfig, "mail" | "jobs" | "smtpUrl" | "mailFrom">;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly holder: string;
  /** Replaces SMTP (tests of the sender's bookkeeping); default: nodemailer to `smtpUrl`. */
  readonly transport?: MailTransport;
}

export interface MailDelivery {
  readonly job: LeasedJob;
  stop(): Promise<void>;
}

/** Runs the mail sender under its lease, or nothing when no SMTP server is configured. */
export function startMailDelivery(options: MailDeliveryOptions): MailDelivery | undefined {
  const { config } = options;
  if (config.smtpUrl === undefined || config.mailFrom === undefined) return undefined;
  const transport =
    options.transport ??
    smtpTransport({ smtpUrl: config.smtpUrl, from: config.mailFrom, timeoutMs: config.mail.timeoutMs });
  const sender = new MailSender({
    store: options.store,
    transport,
    clock: options.clock,
    random: options.random,
    logger: options.logger,
    retry: {
      scheduleMs: config.mail.retryScheduleSeconds.map((seconds) => seconds * 1000),
      maxAttempts: config.mail.maxAttempts,
    },
    claimLeaseMs: config.mail.timeoutMs + CLAIM_MARGIN_MS,
  });
  const job = startLeasedJob({
    name: MAIL_JOB,
    leases: options.store,
    holder: options.holder,
    ttlMs: config.jobs.leaseTtlMs,
    intervalMs: config.mail.pollIntervalMs,
    clock: options.clock,
    logger: options.logger,
    pass: (signal) => sender.runPass(signal),
  });
  return {
    job,
    async stop() {
      await job.stop();
      transport.close();
    },
  };
}
