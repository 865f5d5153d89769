import type { Logger } from "pino";
import type { KeygateConfig } from "../config/load-config.ts";
import type { LeakIntake } from "./leak-intake.ts";
import { LeakPublicKeyFile } from "./leak-public-keys.ts";
import { LeakSignatureVerifier } from "./leak-signature.ts";

/**
 * Builds the leak intake from the config, or undefined when
 * `KEYGATE_LEAK_PUBLIC_KEYS` is unset. Throws `VALIDATION_FAILED` naming the
 * file when it cannot be read or holds no usable ECDSA P-256 key, so a
 * misconfigured node fails at start rather than refusing every report.
 */
export async function openLeakIntake(
  config: Pick<KeygateConfig, "leakPublicKeysFile" | "leaks">,
  logger: Pick<Logger, "info" | "error">,
): Promise<LeakIntake | undefined> {
  if (config.leakPublicKeysFile === undefined) return undefined;
  const keys = await LeakPublicKeyFile.open(config.leakPublicKeysFile, {
    onReloadError: (error) =>
      logger.error(
        { detail: error.detail },
        "leak public keys file changed but cannot be used; keeping the previous keys",
      ),
  });
  logger.info(
    { file: keys.path, keyIdentifiers: keys.identifiers(), action: config.leaks.action },
    "leak reports enabled (POST /v1/leaks)",
  );
  return { signature: new LeakSignatureVerifier(keys), policy: config.leaks };
}
