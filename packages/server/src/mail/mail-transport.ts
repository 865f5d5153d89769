import { createTransport } from "nodemailer";

/** One message as the transport sends it. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Stable across retries (`<mail id@keygate>`), so a receiver that saw one attempt can tell a repeat. */
  readonly messageId: string;
}

/** The port the mail sender talks to: nodemailer over SMTP in production. */
export interface MailTransport {
  /** Resolves once the server accepted the message; rejects with the server's reply otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer. `smtpUrl` is `smtp://user:pass@host:port` (STARTTLS
 * when the server offers it) or `smtps://…` (TLS from the first byte). The URL
 * holds a password: it is never logged, and errors carry only the server's reply.
 */
export function smtpTransport(options: { smtpUrl: string; from: string; timeoutMs: number }): MailTransport {
  const transport = createTransport(
    {
      url: options.smtpUrl,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    },
    { from: options.from },
  );
  return {
    async send(mail) {
      await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    close() {
      transport.close();
    },
  };
}

/** A short, secret-free account of why a send failed: the SMTP reply or the connection error. */
export function describeMailError(error: unknown): string {
  const e = error as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
  if (typeof e.response === "string") return e.response;
  if (typeof e.code === "string") return `${e.code}${typeof e.message === "string" ? `: ${e.message}` : ""}`;
  return error instanceof Error ? error.message : String(error);
}
