import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { KeygateError } from "@keygate/core";
import { z } from "zod";

/** One verification key of the reporter, by the identifier its requests name. */
export interface LeakPublicKey {
  readonly identifier: string;
  readonly key: KeyObject;
  readonly isCurrent: boolean;
}

/**
 * The shape of GitHub's `GET /meta/public_keys/secret_scanning` answer. Fields
 * GitHub may add later are ignored, so a file copied from the live document
 * keeps loading.
 */
const publicKeysDocument = z.object({
  public_keys: z
    .array(
      z.object({
        key_identifier: z.string().min(1).max(256),
        key: z.string().min(1).max(10_000),
        is_current: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(100),
});

function invalid(path: string, message: string): KeygateError {
  return new KeygateError("VALIDATION_FAILED", `KEYGATE_LEAK_PUBLIC_KEYS file ${path}: ${message}`);
}

/** Parses a public-keys document; every key must be an ECDSA P-256 public key in PEM. */
export function parseLeakPublicKeys(text: string, path: string): LeakPublicKey[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = publicKeysDocument.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`,
    );
    throw invalid(
      path,
      `expected {"public_keys": [{"key_identifier", "key", "is_current"}]}; ${problems.join("; ")}`,
    );
  }
  const keys: LeakPublicKey[] = [];
  const seen = new Set<string>();
  parsed.data.public_keys.forEach((entry, index) => {
    const where = `public_keys.${index}`;
    if (seen.has(entry.key_identifier)) throw invalid(path, `${where}.key_identifier is listed twice`);
    seen.add(entry.key_identifier);
    let key: KeyObject;
    try {
      key = createPublicKey(entry.key);
    } catch {
      throw invalid(path, `${where}.key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw invalid(path, `${where}.key is not an ECDSA P-256 public key`);
    }
    keys.push({ identifier: entry.key_identifier, key, isCurrent: entry.is_current ?? false });
  });
  return keys;
}

function readKeysFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw invalid(
      path,
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** What identifies one version of the file: a rewrite in place or a rename over it changes one of these. */
function versionOf(stats: { mtimeMs: number; ctimeMs: number; size: number; ino: number }): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

export interface LeakPublicKeyFileOptions {
  /** Called when a changed file cannot be loaded; the previous keys stay in use. */
  readonly onReloadError?: ((error: KeygateError) => void) | undefined;
}

/**
 * The public keys of `KEYGATE_LEAK_PUBLIC_KEYS`. `open` loads and validates
 * the file and throws a `VALIDATION_FAILED` naming it when it is unusable, so
 * a node does not start with a leak endpoint that can never verify anything.
 *
 * The file is checked again before each lookup (one `stat`; leak reports are
 * rare) and reloaded when it changed, so rotating GitHub's keys needs no
 * restart. A changed file that does not load is reported and ignored: the
 * last good keys keep verifying.
 */
export class LeakPublicKeyFile {
  readonly path: string;
  #keys: ReadonlyMap<string, LeakPublicKey>;
  #version: string;
  readonly #onReloadError: ((error: KeygateError) => void) | undefined;

  private constructor(
    path: string,
    keys: LeakPublicKey[],
    version: string,
    options: LeakPublicKeyFileOptions,
  ) {
    this.path = path;
    this.#keys = new Map(keys.map((k) => [k.identifier, k]));
    this.#version = version;
    this.#onReloadError = options.onReloadError;
  }

  static async open(path: string, options: LeakPublicKeyFileOptions = {}): Promise<LeakPublicKeyFile> {
    let version: string;
    try {
      version = versionOf(await stat(path));
    } catch (error) {
      throw invalid(
        path,
        `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    return new LeakPublicKeyFile(path, parseLeakPublicKeys(readKeysFile(path), path), version, options);
  }

  /** The key a request names, after picking up a changed file; undefined when none has that identifier. */
  async find(identifier: string): Promise<LeakPublicKey | undefined> {
    await this.#refresh();
    return this.#keys.get(identifier);
  }

  /** Identifiers currently loaded (for logs and diagnostics; public keys are not secret). */
  identifiers(): string[] {
    return [...this.#keys.keys()];
  }

  async #refresh(): Promise<void> {
    let version: string;
    try {
      version = versionOf(await stat(this.path));
    } catch (error) {
      if (this.#version !== "missing") {
        this.#version = "missing";
        this.#onReloadError?.(
          invalid(this.path, `cannot read it (${(error as NodeJS.ErrnoException).code})`),
        );
      }
      return;
    }
    if (version === this.#version) return;
    this.#version = version;
    try {
      const keys = parseLeakPublicKeys(readKeysFile(this.path), this.path);
      this.#keys = new Map(keys.map((k) => [k.identifier, k]));
    } catch (error) {
      if (error instanceof KeygateError) this.#onReloadError?.(error);
      else throw error;
    }
  }
}
