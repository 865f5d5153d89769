import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { KeygateStack } from "./keygate-stack.ts";
import { metricValue } from "./node-probes.ts";

/**
 * Waits until the stack's primary reports 2 workers ready (ports open):
 * the stack counts as started once one worker answers on the gateway port.
 */
export async function bothWorkersReady(stack: KeygateStack, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await metricValue(stack.adminUrl, 'keygate_workers{state="ready"}')) !== 2) {
    if (Date.now() > deadline) throw new Error("workers not ready");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Inodes of the TCP sockets in `/proc/net/tcp` and `tcp6` that are established on local port `port`. */
function establishedOn(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // Field 3 is the state (01 = ESTABLISHED), field 9 the inode.
      if (local?.endsWith(`:${hexPort}`) && fields[3] === "01" && fields[9] !== undefined)
        inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * How many established connections to local port `port` process `pid`
 * holds (Linux, from /proc): which worker node:cluster handed each client
 * connection to, seen from outside. Undefined where /proc cannot say.
 */
export function connectionsHeldBy(pid: number, port: number): number | undefined {
  if (process.platform !== "linux") return undefined;
  const wanted = establishedOn(port);
  // Distinct sockets: a socket passed from the primary may sit behind more than one descriptor.
  const held = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined && wanted.has(match[1])) held.add(match[1]);
  }
  return held.size;
}
