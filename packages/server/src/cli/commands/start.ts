import cluster from "node:cluster";
import { KeygateError } from "@keygate/core";
import type { Command } from "commander";
import type { Role } from "../../config/load-config.ts";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run a keygate node (admin API + dashboard, gateway, or both)")
    .option("--role <role>", "all | gateway | admin | portal | authz", "all")
    .option(
      "--workers <n|auto>",
      "processes sharing the gateway and forward-auth ports (default KEYGATE_WORKERS, else 1; auto: one per core)",
    )
    .action(async (options: { role: string; workers?: string }) => {
      if (!["all", "gateway", "admin", "portal", "authz"].includes(options.role)) {
        throw new KeygateError(
          "VALIDATION_FAILED",
          `--role must be all, gateway, admin, portal or authz, got "${options.role}"`,
        );
      }
      // Loaded on demand: admin commands should not pay for the server's modules.
      const { loadConfig } = await import("../../config/load-config.ts");
      // --workers wins over KEYGATE_WORKERS and is checked by the same schema.
      const env =
        options.workers === undefined ? process.env : { ...process.env, KEYGATE_WORKERS: options.workers };
      const config = loadConfig(env, options.role as Role);
      // Several processes (the primary, or a worker node:cluster forked from it): packages/server/src/workers.
      if (config.workers > 1 || cluster.isWorker) {
        const { runWorkers } = await import("../../workers/run-workers.ts");
        await runWorkers(config);
        return;
      }
      const { startKeygate } = await import("../../start-keygate.ts");
      const node = await startKeygate({ config });
      if (node.generatedAdminToken !== undefined) {
        // Printed once, to the terminal only (never through the logger).
        process.stdout.write(
          `\nBootstrap admin token (shown once, store it now):\n  ${node.generatedAdminToken}\n` +
            "Set KEYGATE_ADMIN_TOKEN to it for the CLI.\n\n",
        );
      }
      const stop = (signal: string) => {
        node.logger.info({ signal }, "shutting down");
        node.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
