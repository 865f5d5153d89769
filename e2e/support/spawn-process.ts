import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A child process whose whole output is kept for assertions (e.g. "no secret in any log line"). */
export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  exited(): Promise<number | null>;
}

export function spawnProcess(args: readonly string[], env: Record<string, string>): RunningProcess {
  // keygate-source: workspace packages resolve to their TypeScript sources (as in vitest), not to dist/.
  const child = spawn(process.execPath, ["--conditions=keygate-source", "--import", "tsx", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${args.join(" ")}`);
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, signal);
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
    }, graceMs);
    await exit;
    clearTimeout(timer);
  };
  return {
    child,
    pid,
    output: () => output,
    stop: (graceMs = 5000) => stopWith("SIGTERM", graceMs),
    kill: () => stopWith("SIGKILL", 0),
    exited: () => exit,
  };
}

/** Polls `url` until it answers 200 or `timeoutMs` passes (then throws with the process output). */
export async function waitForHttp(url: string, proc: RunningProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`process exited early:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${proc.output()}`);
}
