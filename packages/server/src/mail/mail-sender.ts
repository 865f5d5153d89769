import type { Clock, MailMessage, PortalStore, Random } from "@keygate/core";
import type { Logger } from "pino";
import { decideRetry, type RetryPolicy } from "../webhooks/retry-policy.ts";
import { describeMailError, type MailTransport } from "./mail-transport.ts";

export interface MailSenderOptions {
  readonly store: Pick<PortalStore, "claimMail" | "recordMailOutcome">;
  readonly transport: MailTransport;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** How long a claimed mail stays hidden from other senders: above the SMTP timeout. */
  readonly claimLeaseMs: number;
}

/** Mails claimed per step. */
const BATCH = 20;

/**
 * Sends queued consumer mail. Each mail is claimed under a lease (its
 * attempts counted), sent, and its outcome recorded only if the claim is
 * still this sender's; a sender that dies mid-send leaves the mail to be
 * claimed again once the lease passes. Delivery is therefore at-least-once
 * in the one case no SMTP client can close (the server accepted, the record
 * was lost); the Message-ID stays the same across attempts so a repeat is
 * recognisable. Runs under the `mail` job lease, on one node at a time.
 */
export class MailSender {
  readonly #o: MailSenderOptions;

  constructor(options: MailSenderOptions) {
    this.#o = options;
  }

  /** Sends every due mail; returns how many were sent. */
  async runPass(signal: AbortSignal): Promise<number> {
    let sent = 0;
    while (!signal.aborted) {
      const claimed = await this.#o.store.claimMail(this.#o.clock.now(), BATCH, this.#o.claimLeaseMs);
      if (claimed.length === 0) break;
      for (const mail of claimed) {
        if (signal.aborted) break;
        if (await this.#attempt(mail)) sent++;
      }
    }
    return sent;
  }

  async #attempt(mail: MailMessage): Promise<boolean> {
    const { store, clock, logger } = this.#o;
    const log = { mailId: mail.id, kind: mail.kind, consumerId: mail.consumerId, attempt: mail.attempts };
    const now = clock.now();
    if (mail.expiresAt !== null && now >= mail.expiresAt) {
      // A sign-in link that can no longer be used is not worth sending.
      await store.recordMailOutcome({
        id: mail.id,
        expectAttempts: mail.attempts,
        at: now,
        status: "failed",
        nextAttemptAt: null,
        error: "expired before it could be sent",
      });
      logger.warn(log, "consumer mail expired before it could be sent");
      return false;
    }
    try {
      await this.#o.transport.send({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@keygate>`,
      });
    } catch (error) {
      const reason = describeMailError(error);
      const at = clock.now();
      const retry = decideRetry(this.#o.retry, mail.attempts, at, this.#o.random);
      await store.recordMailOutcome({
        id: mail.id,
        expectAttempts: mail.attempts,
        at,
        status: retry.type === "retry" ? "retry" : "failed",
        nextAttemptAt: retry.type === "retry" ? retry.at : null,
        error: reason,
      });
      logger.warn({ ...log, reason, giveUp: retry.type !== "retry" }, "consumer mail not accepted");
      return false;
    }
    await store.recordMailOutcome({
      id: mail.id,
      expectAttempts: mail.attempts,
      at: clock.now(),
      status: "sent",
      nextAttemptAt: null,
      error: null,
    });
    logger.info(log, "consumer mail sent");
    return true;
  }
}
