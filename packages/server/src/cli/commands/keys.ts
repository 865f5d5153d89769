import type { Command } from "commander";
import { adminClient, type OutputOptions, out, parseIntOption } from "../cli-context.ts";
import { table } from "../print.ts";

interface KeyView extends Record<string, unknown> {
  id: string;
  hint: string;
  version: number;
  status: string;
  sunsetAt: string | null;
}

interface RotationView extends Record<string, unknown> {
  id: string;
  sunsetAt: string;
}

const KEY_COLUMNS = [
  "id",
  "consumerId",
  "name",
  "version",
  "status",
  "hint",
  "scopes",
  "lastUsedAt",
  "sunsetAt",
];

function secretBlock(secret: string): string {
  return `\nSecret (shown once, it cannot be retrieved again):\n  ${secret}\n`;
}

/** A comma-separated option as a list: entries trimmed, empty ones dropped. */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("create, list, rotate and revoke keys");
  keys
    .command("create <consumerId>")
    .requiredOption("--name <name>", "key name, e.g. Production")
    .option("--scopes <scopes>", "comma-separated scopes, e.g. read,trade", "")
    .option("--env <env>", "live | test", "live")
    .option("--expires-at <date>", "ISO 8601 expiry")
    .option("--allowed-ips <cidrs>", "comma-separated IPv4/IPv6 addresses or CIDRs the key may be used from")
    .option("--json", "print JSON")
    .action(
      async (
        consumerId: string,
        o: OutputOptions & {
          name: string;
          scopes: string;
          env: string;
          expiresAt?: string;
          allowedIps?: string;
        },
      ) => {
        const created = await adminClient().request<{ key: KeyView; secret: string }>(
          "POST",
          `/v1/consumers/${encodeURIComponent(consumerId)}/keys`,
          {
            name: o.name,
            scopes: o.scopes === "" ? [] : o.scopes.split(",").map((s) => s.trim()),
            env: o.env,
            expiresAt: o.expiresAt,
            allowedIps: o.allowedIps === undefined ? undefined : splitList(o.allowedIps),
          },
        );
        out(
          o.json
            ? JSON.stringify(created, null, 2)
            : `created key ${created.key.id} (${created.key.hint})${secretBlock(created.secret)}`,
        );
      },
    );
  keys
    .command("list")
    .option("--consumer <consumerId>", "only this consumer's keys")
    .option("--status <status>", "active | deprecated | expired | revoked")
    .option("--json", "print JSON")
    .action(async (o: OutputOptions & { consumer?: string; status?: string }) => {
      const query = new URLSearchParams({ limit: "1000" });
      if (o.consumer) query.set("consumerId", o.consumer);
      if (o.status) query.set("status", o.status);
      const page = await adminClient().request<{ data: KeyView[] }>("GET", `/v1/keys?${query}`);
      out(o.json ? JSON.stringify(page.data, null, 2) : table(page.data, KEY_COLUMNS));
    });
  keys
    .command("rotate <keyId>")
    .description("issue a successor; the old key keeps working during the overlap")
    .option(
      "--overlap <seconds>",
      "overlap window in seconds (default: consumer policy, else 86400)",
      parseIntOption("--overlap"),
    )
    .option("--retire <policy>", "deadline | idle", "deadline")
    .option(
      "--idle <seconds>",
      "with --retire idle: seconds without old-key traffic",
      parseIntOption("--idle"),
    )
    .option("--json", "print JSON")
    .action(async (keyId: string, o: OutputOptions & { overlap?: number; retire: string; idle?: number }) => {
      const result = await adminClient().request<{ rotation: RotationView; key: KeyView; secret: string }>(
        "POST",
        `/v1/keys/${encodeURIComponent(keyId)}/rotate?wait=true`,
        { overlapSeconds: o.overlap, retire: o.retire, idleSeconds: o.idle },
      );
      out(
        o.json
          ? JSON.stringify(result, null, 2)
          : `rotation ${result.rotation.id}: new key ${result.key.id} v${result.key.version} (${result.key.hint}); ` +
              `old key works until ${result.rotation.sunsetAt}${secretBlock(result.secret)}`,
      );
    });
  keys
    .command("update <keyId>")
    .description("rename a key, or set the addresses it may be used from")
    .option("--name <name>", "new name")
    .option(
      "--allowed-ips <cidrs>",
      'comma-separated IPv4/IPv6 addresses or CIDRs; "" lets the key in from anywhere',
    )
    .option("--json", "print JSON")
    .action(async (keyId: string, o: OutputOptions & { name?: string; allowedIps?: string }) => {
      const allowedIps =
        o.allowedIps === undefined ? undefined : o.allowedIps === "" ? null : splitList(o.allowedIps);
      const updated = await adminClient().request<{ key: KeyView }>(
        "PATCH",
        `/v1/keys/${encodeURIComponent(keyId)}?wait=true`,
        { name: o.name, allowedIps },
      );
      out(o.json ? JSON.stringify(updated.key, null, 2) : `updated key ${keyId}`);
    });
  keys
    .command("revoke <keyId>")
    .option("--reason <reason>", "recorded in the audit log", "revoked by operator")
    .action(async (keyId: string, o: { reason: string }) => {
      await adminClient().request("POST", `/v1/keys/${encodeURIComponent(keyId)}/revoke?wait=true`, {
        reason: o.reason,
      });
      out(`revoked key ${keyId}`);
    });
  keys
    .command("request-rotation <keyId>")
    .description("ask the consumer to rotate: the key carries Deprecation/Sunset until it self-rotates")
    .requiredOption("--sunset <date>", "ISO 8601 moment the key stops working")
    .action(async (keyId: string, o: { sunset: string }) => {
      const result = await adminClient().request<{ key: KeyView }>(
        "POST",
        `/v1/keys/${encodeURIComponent(keyId)}/request-rotation`,
        { sunsetAt: o.sunset },
      );
      out(`key ${keyId} is due; it stops working at ${result.key.sunsetAt}`);
    });
}
