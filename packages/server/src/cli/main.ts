import { readFileSync } from "node:fs";
import { KeygateError } from "@keygate/core";
import { Command } from "commander";
import { AdminApiError } from "./admin-client.ts";
import { registerAdminTokens } from "./commands/admin-tokens.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerConsumers } from "./commands/consumers.ts";
import { registerDb } from "./commands/db.ts";
import { registerIncident } from "./commands/incident.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerRotations } from "./commands/rotations.ts";
import { registerStart } from "./commands/start.ts";
import { registerUsage } from "./commands/usage.ts";
import { registerWebhooks } from "./commands/webhooks.ts";

/** The server package's own version: `keygate --version` names what is installed, not what was built. */
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command()
  .name("keygate")
  .version(version, "-V, --version", "print the keygate version")
  .description(
    "API keys with zero-downtime rotation. Admin commands use KEYGATE_URL and KEYGATE_ADMIN_TOKEN.",
  )
  .showHelpAfterError();

registerStart(program);
registerMigrate(program);
registerDb(program);
registerConsumers(program);
registerKeys(program);
registerRotations(program);
registerIncident(program);
registerUsage(program);
registerAudit(program);
registerWebhooks(program);
registerAdminTokens(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof AdminApiError) {
    process.stderr.write(
      `error: ${error.code}${error.status ? ` (${error.status})` : ""}: ${error.message}\n`,
    );
    for (const e of error.errors) process.stderr.write(`  ${e.path}: ${e.message}\n`);
  } else if (error instanceof KeygateError) {
    process.stderr.write(`error: ${error.detail}\n`);
  } else {
    process.stderr.write(`error: ${(error as Error).message}\n`);
  }
  process.exitCode = 1;
}
