import type { Command } from "commander";
import { adminClient, type OutputOptions, out, parseIntOption } from "../cli-context.ts";
import { table } from "../print.ts";

interface WebhookView extends Record<string, unknown> {
  id: string;
  url: string;
}

const WEBHOOK_COLUMNS = ["id", "url", "events", "description", "createdAt", "secretRotatedAt"];
const DELIVERY_COLUMNS = [
  "id",
  "eventId",
  "eventType",
  "status",
  "attempt",
  "responseStatus",
  "at",
  "nextAttemptAt",
  "error",
];
const ATTEMPT_COLUMNS = ["attempt", "at", "ok", "responseStatus", "durationMs", "error"];

const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

function secretBlock(secret: string): string {
  return `\nSigning secret (shown once, it cannot be retrieved again):\n  ${secret}\n`;
}

export function registerWebhooks(program: Command): void {
  const webhooks = program
    .command("webhooks")
    .description("register webhook endpoints, rotate their secrets, read the delivery log, redeliver");
  webhooks
    .command("list")
    .option("--json", "print JSON")
    .action(async (o: OutputOptions) => {
      const page = await adminClient().request<{ data: WebhookView[] }>("GET", "/v1/webhooks?limit=1000");
      out(o.json ? JSON.stringify(page.data, null, 2) : table(page.data, WEBHOOK_COLUMNS));
    });
  webhooks
    .command("create <url>")
    .option("--events <types>", "comma-separated event types, or * for all", "*")
    .option("--description <text>", "what the endpoint is for")
    .option("--json", "print JSON")
    .action(async (url: string, o: OutputOptions & { events: string; description?: string }) => {
      const created = await adminClient().request<{ webhook: WebhookView; secret: string }>(
        "POST",
        "/v1/webhooks",
        {
          url,
          events: o.events.split(",").map((e) => e.trim()),
          description: o.description,
        },
      );
      out(
        o.json
          ? JSON.stringify(created, null, 2)
          : `registered webhook ${created.webhook.id} → ${created.webhook.url}${secretBlock(created.secret)}`,
      );
    });
  webhooks.command("delete <webhookId>").action(async (id: string) => {
    await adminClient().request("DELETE", `/v1/webhooks/${path(id)}`);
    out(`deleted webhook ${id}`);
  });
  webhooks
    .command("rotate-secret <webhookId>")
    .description("new signing secret; both secrets sign every delivery during the overlap")
    .option(
      "--overlap <seconds>",
      "how long the old secret keeps signing (default 86400)",
      parseIntOption("--overlap"),
    )
    .option("--json", "print JSON")
    .action(async (id: string, o: OutputOptions & { overlap?: number }) => {
      const rotated = await adminClient().request<{ webhook: WebhookView; secret: string }>(
        "POST",
        `/v1/webhooks/${path(id, "rotate-secret")}`,
        o.overlap === undefined ? {} : { overlapSeconds: o.overlap },
      );
      out(
        o.json
          ? JSON.stringify(rotated, null, 2)
          : `rotated the secret of ${id}${secretBlock(rotated.secret)}`,
      );
    });
  webhooks
    .command("deliveries <webhookId>")
    .description("the delivery log: one row per event, with its latest attempt")
    .option("--json", "print JSON")
    .action(async (id: string, o: OutputOptions) => {
      const page = await adminClient().request<{ data: Record<string, unknown>[] }>(
        "GET",
        `/v1/webhooks/${path(id, "deliveries")}?limit=1000`,
      );
      out(o.json ? JSON.stringify(page.data, null, 2) : table(page.data, DELIVERY_COLUMNS));
    });
  webhooks
    .command("attempts <webhookId> <deliveryId>")
    .description("every attempt of one delivery")
    .option("--json", "print JSON")
    .action(async (id: string, deliveryId: string, o: OutputOptions) => {
      const detail = await adminClient().request<{
        delivery: Record<string, unknown>;
        attempts: Record<string, unknown>[];
      }>("GET", `/v1/webhooks/${path(id, "deliveries", deliveryId)}`);
      out(o.json ? JSON.stringify(detail, null, 2) : table(detail.attempts, ATTEMPT_COLUMNS));
    });
  webhooks
    .command("redeliver <webhookId> <deliveryId>")
    .description("send a delivery again now (same webhook-id), with a fresh retry schedule")
    .action(async (id: string, deliveryId: string) => {
      await adminClient().request("POST", `/v1/webhooks/${path(id, "deliveries", deliveryId, "redeliver")}`);
      out(`queued delivery ${deliveryId} for redelivery`);
    });
}
