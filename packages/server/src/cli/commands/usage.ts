import type { Command } from "commander";
import { plural } from "../../text/plural.ts";
import { adminClient, type OutputOptions, out } from "../cli-context.ts";
import { table } from "../print.ts";

interface KeyUsage {
  keyId: string;
  granularity: string;
  series: { at: string; total: number; outcomes: Record<string, number> }[];
}

interface ConsumerUsage {
  consumerId: string;
  plan: { name: string } | null;
  rateLimit: { limit: number; remaining: number; resetAt: string } | null;
  quota: { limit: number; used: number; period: string; resetAt: string } | null;
}

export function registerUsage(program: Command): void {
  program
    .command("usage [keyId]")
    .description(
      "a key's requests by outcome over time, or with --consumer where a consumer stands against its plan",
    )
    .option("--consumer <consumerId>", "show the consumer's rate limit and quota instead")
    .option("--from <date>", "ISO 8601 start (default: an hour ago)")
    .option("--to <date>", "ISO 8601 end (default: now)")
    .option("--granularity <g>", "minute | hour | day", "minute")
    .option("--all", "also print buckets without traffic")
    .option("--json", "print JSON")
    .action(
      async (
        keyId: string | undefined,
        o: OutputOptions & {
          consumer?: string;
          from?: string;
          to?: string;
          granularity: string;
          all?: boolean;
        },
      ) => {
        if (o.consumer !== undefined) {
          const usage = await adminClient().request<ConsumerUsage>(
            "GET",
            `/v1/consumers/${encodeURIComponent(o.consumer)}/usage`,
          );
          if (o.json) return out(JSON.stringify(usage, null, 2));
          out(`plan: ${usage.plan?.name ?? "none (no limits)"}`);
          if (usage.rateLimit) {
            out(
              `rate limit: ${usage.rateLimit.remaining}/${usage.rateLimit.limit} left, resets ${usage.rateLimit.resetAt}`,
            );
          }
          if (usage.quota) {
            out(
              `quota: ${usage.quota.used}/${usage.quota.limit} used this ${usage.quota.period}, resets ${usage.quota.resetAt}`,
            );
          }
          return;
        }
        if (keyId === undefined) throw new Error("give a key id, or --consumer <consumerId>");
        const query = new URLSearchParams({ granularity: o.granularity });
        if (o.from) query.set("from", o.from);
        if (o.to) query.set("to", o.to);
        const usage = await adminClient().request<KeyUsage>(
          "GET",
          `/v1/keys/${encodeURIComponent(keyId)}/usage?${query}`,
        );
        if (o.json) return out(JSON.stringify(usage, null, 2));
        const rows = usage.series
          .filter((b) => o.all || b.total > 0)
          .map((b) => ({
            at: b.at,
            total: b.total,
            outcomes: Object.entries(b.outcomes)
              .map(([code, n]) => `${code}=${n}`)
              .join(" "),
          }));
        const total = usage.series.reduce((sum, b) => sum + b.total, 0);
        out(`${table(rows, ["at", "total", "outcomes"])}\n${plural(total, "request")}`);
      },
    );
}
