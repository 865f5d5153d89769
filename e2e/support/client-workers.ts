import { rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { KeygateStack } from "./keygate-stack.ts";
import { type RunningProcess, spawnProcess } from "./spawn-process.ts";

/** One JSON line of `client-worker.ts`. */
export interface WorkerLine {
  readonly type:
    | "ready"
    | "request"
    | "attempt"
    | "self-rotate"
    | "rotated"
    | "deprecated"
    | "error"
    | "done";
  readonly t: number;
  readonly n?: number;
  readonly status?: number;
  readonly code?: string;
  readonly keyId?: string | null;
  readonly hint?: string | null;
  readonly oldHint?: string;
  readonly newHint?: string;
  readonly source?: "self" | "store";
  readonly message?: string;
}

/** A running `client-worker.ts` process and what it reported so far. */
export interface ClientWorker {
  readonly name: string;
  readonly process: RunningProcess;
  lines(): WorkerLine[];
  requests(): WorkerLine[];
}

export function startClientWorker(name: string, env: Record<string, string>): ClientWorker {
  const process = spawnProcess(["e2e/support/client-worker.ts"], env);
  const parsed: WorkerLine[] = [];
  let partial = "";
  // stdout alone, line by line: stderr (tsx, Node warnings) must not split a JSON line.
  process.child.stdout?.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const complete = text.split("\n");
    partial = complete.pop() ?? "";
    for (const line of complete) if (line.startsWith("{")) parsed.push(JSON.parse(line) as WorkerLine);
  });
  const lines = () => [...parsed];
  return {
    name,
    process,
    lines,
    requests: () => lines().filter((line) => line.type === "request"),
  };
}

/** SIGTERM: each worker finishes its requests in flight and reports `done`. */
export async function stopClientWorkers(workers: readonly ClientWorker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.process.stop(10_000)));
}

/** Polls `condition` every 50 ms; throws `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Writes `secret` the way a secrets manager or an operator's script would: a temporary file renamed over the key file. */
export async function dropKeyFile(path: string, secret: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.operator-${Date.now()}`);
  await writeFile(temp, `${secret}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/** A key as the admin API shows it, in the fields these tests read. */
export interface KeyView {
  id: string;
  version: number;
  status: string;
  lineageId: string;
}

/**
 * A consumer with one key whose secret starts out in `keyFile`, as a
 * consumer's file key store would hold it before the SDK processes start.
 */
export async function seedKeyFile(
  stack: KeygateStack,
  names: { consumer: string; key: string },
  keyFile: string,
): Promise<{ consumerId: string; secret: string; key: KeyView }> {
  const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: names.consumer });
  const created = await stack.admin<{ secret: string; key: KeyView }>(
    "POST",
    `/v1/consumers/${consumer.body.id}/keys`,
    { name: names.key },
  );
  await dropKeyFile(keyFile, created.body.secret);
  return { consumerId: consumer.body.id, ...created.body };
}
