import type { Command } from "commander";
import { plural } from "../../text/plural.ts";
import { adminClient, out } from "../cli-context.ts";

type Verdict = { ok: true; entries: number; headHash: string } | { ok: false; seq: number; problem: string };

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("the hash-chained audit log");
  audit
    .command("verify")
    .description("check the chain; exits 1 naming the first edited, deleted or reordered entry")
    .action(async () => {
      const verdict = await adminClient().request<Verdict>("GET", "/v1/audit/verify");
      if (verdict.ok) {
        out(`audit chain intact: ${plural(verdict.entries, "entry", "entries")}, head ${verdict.headHash}`);
        return;
      }
      process.stderr.write(`audit chain BROKEN at entry ${verdict.seq}: ${verdict.problem}\n`);
      process.exitCode = 1;
    });
}
