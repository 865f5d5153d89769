import { type ChildProcess, fork } from "node:child_process";

/** A benchmark child process started with tsx, talking over IPC. */
export interface Child<T> {
  readonly process: ChildProcess;
  /** The first message the child sent (its "ready" report). */
  readonly ready: T;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** CPU list for `taskset -c` (Linux). */
  readonly cpus?: string | undefined;
  readonly args?: readonly string[];
  readonly execArgv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Forks `file` under tsx and waits for its first IPC message. The child is
 * killed by its pid on `stop()`, and when this process exits.
 */
export async function startChild<T>(file: string, options: ChildOptions = {}): Promise<Child<T>> {
  const execArgv = ["--import", "tsx", ...(options.execArgv ?? [])];
  const child =
    options.cpus === undefined
      ? fork(file, [...(options.args ?? [])], {
          execArgv,
          env: options.env,
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        })
      : fork(file, [...(options.args ?? [])], {
          execPath: "taskset",
          execArgv: ["-c", options.cpus, process.execPath, ...execArgv],
          env: options.env,
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const ready = await new Promise<T>((resolve, reject) => {
    child.once("message", (message) => resolve(message as T));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${file} exited early with code ${code}`)));
  });
  return {
    process: child,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs a worker that sends exactly one result message and exits. */
export async function runWorker<T>(file: string, options: ChildOptions = {}): Promise<T> {
  const child = await startChild<T>(file, options);
  await child.stop();
  return child.ready;
}

/** CPU time (user + system, in seconds) a process has used so far, from /proc. Undefined off Linux. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import("node:fs/promises");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) sit at 11 and 12 after the command name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return undefined;
  }
}
