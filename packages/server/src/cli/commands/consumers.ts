import type { Command } from "commander";
import { adminClient, type OutputOptions, out } from "../cli-context.ts";
import { table } from "../print.ts";

interface ConsumerView extends Record<string, unknown> {
  id: string;
}

export function registerConsumers(program: Command): void {
  const consumers = program.command("consumers").description("list and create consumers");
  consumers
    .command("list", { isDefault: true })
    .option("--json", "print JSON")
    .action(async (options: OutputOptions) => {
      const page = await adminClient().request<{ data: ConsumerView[] }>("GET", "/v1/consumers?limit=1000");
      out(
        options.json
          ? JSON.stringify(page.data, null, 2)
          : table(page.data, ["id", "name", "email", "plan", "disabled", "createdAt"]),
      );
    });
  consumers
    .command("create <name>")
    .option("--plan <plan>", "plan name")
    .option("--email <address>", "where consumer mail goes (also their portal sign-in by mail)")
    .option("--json", "print JSON")
    .action(async (name: string, options: OutputOptions & { plan?: string; email?: string }) => {
      const consumer = await adminClient().request<ConsumerView>("POST", "/v1/consumers", {
        name,
        plan: options.plan,
        email: options.email,
      });
      out(options.json ? JSON.stringify(consumer, null, 2) : `created consumer ${consumer.id}`);
    });
  consumers
    .command("update <id>")
    .description("change a consumer's name, email or plan")
    .option("--name <name>", "new name")
    .option("--email <address>", 'new email address ("" removes it)')
    .option("--plan <plan>", 'new plan ("" removes it)')
    .option("--json", "print JSON")
    .action(async (id: string, options: OutputOptions & { name?: string; email?: string; plan?: string }) => {
      const blankToNull = (value: string | undefined) => (value === "" ? null : value);
      const answer = await adminClient().request<{ consumer: ConsumerView }>(
        "PATCH",
        `/v1/consumers/${encodeURIComponent(id)}`,
        { name: options.name, email: blankToNull(options.email), plan: blankToNull(options.plan) },
      );
      out(options.json ? JSON.stringify(answer.consumer, null, 2) : `updated consumer ${id}`);
    });
  consumers
    .command("portal-link <id>")
    .description("a one-time sign-in link to the consumer portal (hand it to the consumer; works once)")
    .option("--ttl <seconds>", "how long the link works (default 900, at most 86400)")
    .option("--json", "print JSON")
    .action(async (id: string, options: OutputOptions & { ttl?: string }) => {
      const ttlSeconds = options.ttl === undefined ? undefined : Number(options.ttl);
      const link = await adminClient().request<{ url: string; expiresAt: string }>(
        "POST",
        `/v1/consumers/${encodeURIComponent(id)}/portal-links`,
        { ttlSeconds },
      );
      out(
        options.json ? JSON.stringify(link, null, 2) : `${link.url}\n(works once, until ${link.expiresAt})`,
      );
    });
  consumers
    .command("disable <id>")
    .description("refuse every key of the consumer (403 CONSUMER_DISABLED)")
    .action(async (id: string) => {
      await adminClient().request("PATCH", `/v1/consumers/${encodeURIComponent(id)}`, { disabled: true });
      out(`disabled consumer ${id}`);
    });
}
