import type { Command } from "commander";
import { adminClient, type OutputOptions, out } from "../cli-context.ts";
import { table } from "../print.ts";

interface AdminTokenView extends Record<string, unknown> {
  id: string;
  name: string;
  role: string;
}

const COLUMNS = ["id", "name", "role", "status", "expiresAt", "lastUsedAt", "createdBy", "createdAt"];
const ROLES = ["viewer", "operator", "admin", "verifier"];

/** `keygate admin-tokens create|list|revoke`: operator tokens with roles (needs an admin token). */
export function registerAdminTokens(program: Command): void {
  const tokens = program
    .command("admin-tokens")
    .description("issue, list and revoke admin tokens (roles: viewer, operator, admin, verifier)");
  tokens
    .command("list")
    .option("--json", "print JSON")
    .action(async (o: OutputOptions) => {
      const page = await adminClient().request<{ data: AdminTokenView[] }>(
        "GET",
        "/v1/admin-tokens?limit=1000",
      );
      out(o.json ? JSON.stringify(page.data, null, 2) : table(page.data, COLUMNS));
    });
  tokens
    .command("create <name>")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .option("--expires-at <iso>", "refused from this moment on (ISO 8601, e.g. 2026-12-31T00:00:00Z)")
    .option("--json", "print JSON")
    .action(async (name: string, o: OutputOptions & { role: string; expiresAt?: string }) => {
      const created = await adminClient().request<{ token: AdminTokenView; secret: string }>(
        "POST",
        "/v1/admin-tokens",
        { name, role: o.role, ...(o.expiresAt === undefined ? {} : { expiresAt: o.expiresAt }) },
      );
      out(
        o.json
          ? JSON.stringify(created, null, 2)
          : `issued admin token ${created.token.id} (${created.token.name}, ${created.token.role})\n` +
              `\nToken (shown once, it cannot be retrieved again):\n  ${created.secret}\n`,
      );
    });
  tokens
    .command("revoke <tokenId>")
    .description("refused on every node once the change has propagated (waits for it)")
    .action(async (id: string) => {
      await adminClient().request("DELETE", `/v1/admin-tokens/${encodeURIComponent(id)}?wait=true`);
      out(`revoked admin token ${id}`);
    });
}
