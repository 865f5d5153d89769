import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { KeygateClientError } from "./keygate-client-error.ts";

export interface FileLockOptions {
  /** A lock file not refreshed for this long belongs to a dead holder and is taken over. Default 30 s. */
  readonly staleMs?: number;
  /** Give up waiting for the lock after this long. Default 2 × `staleMs`. */
  readonly timeoutMs?: number;
}

/**
 * Runs `fn` holding an exclusive lock file at `lockPath`, across processes.
 *
 * Acquire: create the file with `wx` (O_CREAT|O_EXCL, atomic on local file
 * systems). While held, its mtime is refreshed every `staleMs / 3`, so a live
 * holder never looks stale however long `fn` takes. A lock older than
 * `staleMs` is broken by renaming it aside first: of several waiters breaking
 * the same stale lock, exactly one rename succeeds; a waiter that moved a
 * lock which turned out fresh puts it back. Release removes the file only if
 * it still carries this holder's token.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}) {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? staleMs * 2;
  const token = `${process.pid}:${randomUUID()}`;
  await acquire(lockPath, token, staleMs, timeoutMs);
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(lockPath, now, now).catch(() => undefined);
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, token: string, staleMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if (!isCode(error, "EEXIST")) throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      await breakStale(lockPath, token, staleMs);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new KeygateClientError("LOCK_TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${lockPath}`);
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleMs;
  } catch (error) {
    if (isCode(error, "ENOENT")) return false;
    throw error;
  }
}

async function breakStale(lockPath: string, token: string, staleMs: number): Promise<void> {
  const aside = `${lockPath}.${token.replace(/[^\w-]/g, "_")}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (isCode(error, "ENOENT")) return; // another waiter broke it first
    throw error;
  }
  if (!(await isStale(aside, staleMs))) {
    // Between our check and our rename someone took a fresh lock: give it back.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function release(lockPath: string, token: string): Promise<void> {
  try {
    if ((await readFile(lockPath, "utf8")) === token) await unlink(lockPath);
  } catch (error) {
    if (!isCode(error, "ENOENT")) throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
