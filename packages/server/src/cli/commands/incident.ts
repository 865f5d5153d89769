import type { Command } from "commander";
import { adminClient, out } from "../cli-context.ts";

interface RotateResult {
  rotation: { id: string };
  key: { id: string; hint: string; version: number; consumerId: string };
  secret: string;
  propagation?: { nodes: number; acknowledged: number };
}

export function registerIncident(program: Command): void {
  program
    .command("incident <keyId>")
    .description(
      "report a key as leaked: emergency rollover (overlap 0) plus a key.leaked event, then print the next steps",
    )
    .option("--json", "print JSON")
    .action(async (keyId: string, o: { json?: boolean }) => {
      const result = await adminClient().request<RotateResult>(
        "POST",
        `/v1/keys/${encodeURIComponent(keyId)}/incident?wait=true`,
      );
      if (o.json) {
        out(JSON.stringify(result, null, 2));
        return;
      }
      const reach = result.propagation
        ? `${result.propagation.acknowledged}/${result.propagation.nodes} nodes acknowledged`
        : "propagation not reported";
      out(
        [
          `Key ${keyId} is invalid as of now (${reach}).`,
          `Successor ${result.key.id} v${result.key.version} (${result.key.hint}) for consumer ${result.key.consumerId}.`,
          "",
          "Secret of the successor (shown once; hand it to the consumer over a secure channel):",
          `  ${result.secret}`,
          "",
          "Next steps:",
          "  1. Deliver the new secret to the consumer (or drop it into their key store file).",
          `  2. Watch for refused calls: keygate keys list --consumer ${result.key.consumerId}`,
          "  3. Find where the old key leaked (repository, logs, CI output) and remove it there.",
          "  4. Review the audit trail: keygate audit verify, and GET /v1/audit.",
          "  5. If the leak exposed other keys of this consumer, run `keygate incident` for each.",
        ].join("\n"),
      );
    });
}
