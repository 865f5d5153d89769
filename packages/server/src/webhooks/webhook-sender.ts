import { KeygateError } from "@keygate/core";
import { Agent, request } from "undici";
import type { OutboundUrlGuard } from "./outbound-url-guard.ts";
import type { SignedHeaders } from "./webhook-signature.ts";

/** What one HTTP attempt came to. `error` is bounded and never holds a secret or the request. */
export interface SendResult {
  readonly ok: boolean;
  readonly responseStatus: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface WebhookSenderOptions {
  readonly guard: OutboundUrlGuard;
  /** Whole-attempt bound: connect, headers and body. */
  readonly timeoutMs: number;
  readonly userAgent?: string;
}

/** How much of a failing receiver's answer is kept in the delivery log. */
const RESPONSE_SNIPPET = 200;
const CONTROL = /\p{Cc}+/gu;

function describe(error: unknown): string {
  if (error instanceof KeygateError) return error.detail;
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof KeygateError) return cause.detail;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "";
  const message = cause instanceof Error ? cause.message : String(cause);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).replace(CONTROL, " ");
}

/** The start of a response body; the rest is dropped unread. */
async function readSnippet(body: AsyncIterable<Buffer>): Promise<string> {
  let text = "";
  try {
    for await (const chunk of body) {
      text += chunk.toString("utf8");
      if (text.length >= RESPONSE_SNIPPET) break;
    }
  } catch {
    // A body that breaks off still leaves its status to report.
  }
  return text;
}

/**
 * POSTs signed webhook bodies. Redirects are not followed (a 3xx is a
 * failed attempt); every connection goes through the guard's lookup.
 */
export class WebhookSender {
  readonly #guard: OutboundUrlGuard;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #agent: Agent;

  constructor(options: WebhookSenderOptions) {
    this.#guard = options.guard;
    this.#timeoutMs = options.timeoutMs;
    this.#userAgent = options.userAgent ?? "keygate-webhooks/1";
    this.#agent = new Agent({
      connect: { lookup: this.#guard.lookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4000,
    });
  }

  async send(url: string, payload: string, headers: SignedHeaders, signal: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // IP literals never reach `lookup`: the shape check covers them (and re-checks the policy now).
      this.#guard.checkShape(url);
      const response = await request(url, {
        method: "POST",
        dispatcher: this.#agent,
        headers: { "content-type": "application/json", "user-agent": this.#userAgent, ...headers },
        body: payload,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return { ok: true, responseStatus: status, error: null, durationMs: elapsed() };
      }
      const text = await readSnippet(response.body);
      const snippet = text.slice(0, RESPONSE_SNIPPET).replace(CONTROL, " ").trim();
      return {
        ok: false,
        responseStatus: status,
        error: `HTTP ${status}${snippet ? `: ${snippet}` : ""}`,
        durationMs: elapsed(),
      };
    } catch (error) {
      return { ok: false, responseStatus: null, error: describe(error), durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
