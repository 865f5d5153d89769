import type { Command } from "commander";
import { out } from "../cli-context.ts";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create or upgrade the store's schema (also done at every start)")
    .action(async () => {
      const { loadConfig } = await import("../../config/load-config.ts");
      const { nodeHasher } = await import("../../platform/node-platform.ts");
      const { createKeyStore } = await import("../../store/create-key-store.ts");
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
