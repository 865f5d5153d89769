/**
 * Real nginx and Caddy (Debian packages) in front of keygate's forward-auth
 * port, run from the shipped `examples/forward-auth/` configs with only the
 * ports changed, on loopback. Each proxy runs in the foreground under a
 * temporary prefix and is stopped by its PID.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./spawn-process.ts";

/** The ports the shipped configs use, which the tests and the bench replace. */
export const EXAMPLE_PORTS = { listen: 8000, authz: 8081, upstream: 3000, caddyAdmin: 2019 } as const;

export interface ProxyPorts {
  readonly listen: number;
  readonly authz: number;
  readonly upstream: number;
}

/** A proxy process: its URL, its output, and a stop by PID. */
export interface RunningProxy {
  readonly url: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** The path of a binary, or undefined when it is not installed. */
export function binary(name: "nginx" | "caddy"): string | undefined {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Reads a shipped example config and changes its loopback ports, and nothing else. */
export function templatedExample(file: string, ports: ProxyPorts & { caddyAdmin?: number }): string {
  const text = readFileSync(join(repoRoot, "examples/forward-auth", file), "utf8");
  let out = text
    .replaceAll(`127.0.0.1:${EXAMPLE_PORTS.authz}`, `127.0.0.1:${ports.authz}`)
    .replaceAll(`127.0.0.1:${EXAMPLE_PORTS.upstream}`, `127.0.0.1:${ports.upstream}`)
    .replaceAll(`127.0.0.1:${EXAMPLE_PORTS.listen}`, `127.0.0.1:${ports.listen}`)
    .replaceAll(`:${EXAMPLE_PORTS.listen} {`, `:${ports.listen} {`);
  if (ports.caddyAdmin !== undefined) {
    out = out.replaceAll(`127.0.0.1:${EXAMPLE_PORTS.caddyAdmin}`, `127.0.0.1:${ports.caddyAdmin}`);
  }
  return out;
}

function track(child: ChildProcess, dir: string): RunningProxy & { exited: Promise<void> } {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error("proxy did not start");
  return {
    url: "",
    pid,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // nginx: SIGQUIT is a graceful stop of master and workers; Caddy stops on SIGTERM.
        process.kill(pid, "SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
        }, 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(url: string, proxy: RunningProxy, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`proxy exited early:\n${proxy.output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await proxy.stop();
  throw new Error(`proxy at ${url} not listening:\n${proxy.output()}`);
}

/**
 * Starts nginx in the foreground (`daemon off`) with the shipped
 * `nginx.conf` templated for `ports`, under a temporary prefix with its own
 * pid and error log. `mainDirectives` are extra `-g` main-context directives
 * (the bench pins `worker_processes 1`). Config text may be given instead of
 * the shipped one (the bench's nginx-alone and static-map variants).
 */
export async function startNginx(
  ports: ProxyPorts,
  options: { config?: string; mainDirectives?: string; cpus?: string; accessLog?: boolean } = {},
): Promise<RunningProxy> {
  const nginx = binary("nginx");
  if (nginx === undefined) throw new Error("nginx is not installed (apt-get install nginx)");
  const dir = mkdtempSync(join(tmpdir(), "keygate-nginx-"));
  const conf = join(dir, "nginx.conf");
  // Access logging is the shipped config's business (default path); under load tests it is heavy and
  // shared, so the temporary prefix gets its own.
  const config = (options.config ?? templatedExample("nginx.conf", ports)).replace(
    "http {",
    `http {\n    access_log ${options.accessLog === false ? "off" : join(dir, "access.log")};\n    client_body_temp_path ${dir}/body;\n    proxy_temp_path ${dir}/proxy;`,
  );
  writeFileSync(conf, config);
  const globals = `daemon off; pid ${join(dir, "nginx.pid")}; error_log ${join(dir, "error.log")} warn; ${options.mainDirectives ?? ""}`;
  execFileSync(nginx, ["-t", "-q", "-p", dir, "-c", conf, "-g", globals], { stdio: "pipe" });
  const args = ["-p", dir, "-c", conf, "-g", globals];
  // Pinned (the bench): taskset execs nginx, so the PID is nginx's master and its workers inherit the CPU list.
  const child =
    options.cpus === undefined
      ? spawn(nginx, args, { stdio: ["ignore", "pipe", "pipe"] })
      : spawn("taskset", ["-c", options.cpus, nginx, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const proxy = track(child, dir);
  const url = `http://127.0.0.1:${ports.listen}`;
  const running: RunningProxy = {
    ...proxy,
    url,
    output: () => {
      const log = join(dir, "error.log");
      return `${proxy.output()}${existsSync(log) ? readFileSync(log, "utf8") : ""}`;
    },
  };
  await waitListening(url, running, proxy.exited);
  return running;
}

/** Starts Caddy (`caddy run`) with the shipped `Caddyfile` templated for `ports` and its admin port. */
export async function startCaddy(ports: ProxyPorts & { caddyAdmin: number }): Promise<RunningProxy> {
  const caddy = binary("caddy");
  if (caddy === undefined) throw new Error("caddy is not installed (apt-get install caddy)");
  const dir = mkdtempSync(join(tmpdir(), "keygate-caddy-"));
  const file = join(dir, "Caddyfile");
  writeFileSync(file, templatedExample("Caddyfile", ports));
  const child = spawn(caddy, ["run", "--config", file, "--adapter", "caddyfile"], {
    stdio: ["ignore", "pipe", "pipe"],
    // Caddy keeps its state (certificates, autosave) under XDG_DATA_HOME / XDG_CONFIG_HOME: the temp dir.
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  });
  const proxy = track(child, dir);
  const url = `http://127.0.0.1:${ports.listen}`;
  const running: RunningProxy = { ...proxy, url };
  await waitListening(url, running, proxy.exited);
  return running;
}
