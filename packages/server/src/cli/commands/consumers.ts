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
          : table(page.data, ["id", "name", "plan", "disabled", "createdAt"]),
      );
    });
  consumers
    .command("create <name>")
    .option("--plan <plan>", "plan name")
    .option("--json", "print JSON")
    .action(async (name: string, options: OutputOptions & { plan?: string }) => {
      const consumer = await adminClient().request<ConsumerView>("POST", "/v1/consumers", {
        name,
        plan: options.plan,
      });
      out(options.json ? JSON.stringify(consumer, null, 2) : `created consumer ${consumer.id}`);
    });
  consumers
    .command("disable <id>")
    .description("refuse every key of the consumer (403 CONSUMER_DISABLED)")
    .action(async (id: string) => {
      await adminClient().request("PATCH", `/v1/consumers/${encodeURIComponent(id)}`, { disabled: true });
      out(`disabled consumer ${id}`);
    });
}
