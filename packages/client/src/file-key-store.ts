import { randomUUID } from "node:crypto";
import { type FSWatcher, mkdirSync, type StatWatcher, unwatchFile, watch, watchFile } from "node:fs";
import { chmod, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type FileLockOptions, withFileLock } from "./file-lock.ts";
import type { KeyStore } from "./key-store.ts";

export interface FileKeyStoreOptions extends FileLockOptions {
  /** Polling interval of the fallback watcher (for file systems where `fs.watch` is blind). Default 2000 ms. */
  readonly pollIntervalMs?: number;
}

/**
 * Keeps the key in a file (Node only). The file holds the secret alone,
 * optionally followed by a newline, with mode 0600 in a directory created 0700.
 *
 * - `save` writes a temporary file in the same directory, fsyncs it and
 *   renames it over the key file: readers see the old or the new key, never a
 *   partial one, and a crash leaves the old key in place.
 * - `watch` listens on the directory (a rename replaces the file's inode, so
 *   watching the file itself would go deaf after the first replacement) and
 *   also polls the path as a fallback; whatever the file holds last wins.
 * - `lock` is the lock file `<path>.lock`, shared by every process using the
 *   same path, so they rotate once between them.
 */
export function fileKeyStore(path: string, options: FileKeyStoreOptions = {}): Required<KeyStore> {
  const file = resolve(path);
  const dir = dirname(file);
  const name = basename(file);
  const pollIntervalMs = options.pollIntervalMs ?? 2000;

  const load = async (): Promise<string | null> => {
    try {
      const text = (await readFile(file, "utf8")).trim();
      return text === "" ? null : text;
    } catch (error) {
      if (isCode(error, "ENOENT")) return null;
      throw error;
    }
  };

  return {
    load,

    async save(secret, previous) {
      if ((await load()) !== previous) return false;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
      try {
        const handle = await open(temp, "wx", 0o600);
        try {
          await handle.writeFile(`${secret}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await chmod(temp, 0o600); // the mode passed to open is filtered by the umask
        await rename(temp, file);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await syncDirectory(dir);
      return true;
    },

    watch(onChange) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      let watcher: FSWatcher | null = null;
      try {
        watcher = watch(dir, { persistent: false }, (_event, changed) => {
          if (changed === null || changed.toString() === name) onChange();
        });
        watcher.on("error", () => watcher?.close());
      } catch {
        watcher = null; // e.g. inotify limits: polling below still works
      }
      const listener = (
        current: { mtimeMs: number; ino: number },
        before: { mtimeMs: number; ino: number },
      ) => {
        if (current.mtimeMs !== before.mtimeMs || current.ino !== before.ino) onChange();
      };
      const poller: StatWatcher = watchFile(file, { persistent: false, interval: pollIntervalMs }, listener);
      poller.unref();
      return () => {
        watcher?.close();
        unwatchFile(file, listener);
      };
    },

    lock: (fn) => withFileLock(`${file}.lock`, fn, options),
  };
}

/** Makes the rename durable; best effort, as not every platform can open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some file systems refuse; the rename itself is still atomic.
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
