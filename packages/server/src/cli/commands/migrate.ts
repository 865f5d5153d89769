import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.ts";
import { nodeHasher } from "../../platform/node-platform.ts";
import { createKeyStore } from "../../store/create-key-store.ts";
import { out } from "../cli-context.ts";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create or upgrade the store's schema (also done at every start)")
    .action(async () => {
      const config = loadConfig(process.env, "admin");
      const store = createKeyStore(config.databaseUrl, { hasher: nodeHasher });
      try {
        await store.migrate();
        out(`schema is up to date (${config.databaseUrl.split(":")[0]})`);
      } finally {
        await store.close();
      }
    });
}
