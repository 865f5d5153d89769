import type { Command } from "commander";
import { adminClient, type OutputOptions, out } from "../cli-context.ts";
import { table } from "../print.ts";

export function registerRotations(program: Command): void {
  const rotations = program.command("rotations").description("list, roll back and complete rotations");
  rotations
    .command("list")
    .option("--state <state>", "overlapping | completed | rolled_back")
    .option("--json", "print JSON")
    .action(async (o: OutputOptions & { state?: string }) => {
      const query = new URLSearchParams({ limit: "1000" });
      if (o.state) query.set("state", o.state);
      const page = await adminClient().request<{ data: Record<string, unknown>[] }>(
        "GET",
        `/v1/rotations?${query}`,
      );
      out(
        o.json
          ? JSON.stringify(page.data, null, 2)
          : table(page.data, [
              "id",
              "oldKeyId",
              "newKeyId",
              "state",
              "retire",
              "sunsetAt",
              "completedReason",
            ]),
      );
    });
  rotations
    .command("rollback <rotationId>")
    .description("during the overlap: reactivate the old key and revoke the new one")
    .action(async (id: string) => {
      await adminClient().request("POST", `/v1/rotations/${encodeURIComponent(id)}/rollback?wait=true`);
      out(`rolled back rotation ${id}: the old key is active again, the new key is revoked`);
    });
  rotations
    .command("complete <rotationId>")
    .description("retire the old key now")
    .action(async (id: string) => {
      await adminClient().request("POST", `/v1/rotations/${encodeURIComponent(id)}/complete?wait=true`);
      out(`completed rotation ${id}: the old key is retired`);
    });
}
