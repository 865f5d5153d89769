import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { KeygateError } from "@keygate/core";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { type EnvConfig, envSchema, type FileConfig, fileConfigSchema } from "./config-schema.ts";

/** What a node serves: `all` every port; `portal` the consumer portal alone; `authz` forward auth alone. */
export type Role = "all" | "gateway" | "admin" | "portal" | "authz";

/** `KEYGATE_OIDC_ISSUER`, `KEYGATE_OIDC_CLIENT_ID`, `KEYGATE_OIDC_CLIENT_SECRET`, all three set. */
export interface OidcProviderConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The whole configuration, parsed once at start and frozen. */
export interface KeygateConfig extends FileConfig {
  readonly role: Role;
  readonly adminPort: number;
  readonly portalPort: number;
  /** Public URL of the portal: links in mail and hand-off links point here. */
  readonly portalUrl: string;
  /** SMTP server for consumer mail; undefined: nothing is mailed. Never logged. */
  readonly smtpUrl: string | undefined;
  /** The From of consumer mail; required with `smtpUrl`. */
  readonly mailFrom: string | undefined;
  readonly gatewayPort: number;
  /** Forward auth (`KEYGATE_AUTHZ_PORT`), served by roles all, gateway and authz. */
  readonly authzPort: number;
  /** Internal metrics listener of roles gateway and authz (`KEYGATE_METRICS_PORT`, `KEYGATE_METRICS_HOST`). */
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly host: string;
  readonly upstream: string | undefined;
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  /** Bootstrap root admin token. Never logged. */
  readonly adminToken: string | undefined;
  readonly configFile: string | undefined;
  /** `KEYGATE_LEAK_PUBLIC_KEYS`: the public keys leak reports are signed with; unset disables `POST /v1/leaks`. */
  readonly leakPublicKeysFile: string | undefined;
  /** The OpenID provider of dashboard sign-in (`KEYGATE_OIDC_*`); undefined: SSO off. Never logged (a secret). */
  readonly oidcProvider: OidcProviderConfig | undefined;
  readonly logLevel: EnvConfig["KEYGATE_LOG_LEVEL"];
  readonly nodeId: string | undefined;
  /** Processes sharing the gateway and forward-auth ports (`KEYGATE_WORKERS`, `--workers`; `auto` resolved). 1: one process. */
  readonly workers: number;
}

/** `KEYGATE_WORKERS` as a count: `auto` is one per core the process may use. */
function workerCount(value: string): number {
  return value === "auto" ? availableParallelism() : Number(value);
}

/** Several processes need ports to share and a store they all open (not one private to a process). */
function workerProblems(e: EnvConfig, role: Role): string[] {
  if (workerCount(e.KEYGATE_WORKERS) === 1) return [];
  const problems: string[] = [];
  if (role === "admin" || role === "portal")
    problems.push(
      `env KEYGATE_WORKERS: role ${role} has no port to share among workers (roles all, gateway and authz do)`,
    );
  if (e.KEYGATE_DATABASE_URL.startsWith("memory:") || e.KEYGATE_DATABASE_URL === "sqlite::memory:")
    problems.push("env KEYGATE_WORKERS: workers need a store they all open (sqlite:<file> or postgres://…)");
  return problems;
}

function issuesToMessages(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${prefix}${path ? `${path}: ` : ""}${issue.message}`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new KeygateError(
      "VALIDATION_FAILED",
      `cannot read KEYGATE_CONFIG file ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new KeygateError(
      "VALIDATION_FAILED",
      `KEYGATE_CONFIG file ${path} is not valid: ${(error as Error).message}`,
    );
  }
}

/** SSO needs all three `KEYGATE_OIDC_*`, and an https issuer unless it is on loopback (tests). */
function oidcProblems(e: EnvConfig): string[] {
  const set = [e.KEYGATE_OIDC_ISSUER, e.KEYGATE_OIDC_CLIENT_ID, e.KEYGATE_OIDC_CLIENT_SECRET];
  if (set.every((value) => value === undefined)) return [];
  if (set.some((value) => value === undefined))
    return [
      "env KEYGATE_OIDC_ISSUER, KEYGATE_OIDC_CLIENT_ID and KEYGATE_OIDC_CLIENT_SECRET: set all three or none",
    ];
  const issuer = new URL(e.KEYGATE_OIDC_ISSUER ?? "");
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
  if (issuer.protocol !== "https:" && !loopback)
    return ["env KEYGATE_OIDC_ISSUER: must be https (http only on loopback)"];
  return [];
}

/**
 * Parses the environment and the optional config file together and reports
 * every problem at once. Unknown keys in the file are errors.
 */
export function loadConfig(env: NodeJS.ProcessEnv, role: Role = "all"): KeygateConfig {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) problems.push(...issuesToMessages("env ", envResult.error));
  const filePath =
    typeof env.KEYGATE_CONFIG === "string" && env.KEYGATE_CONFIG !== "" ? env.KEYGATE_CONFIG : undefined;
  const fileResult = fileConfigSchema.safeParse(
    filePath === undefined ? {} : (readConfigFile(filePath) ?? {}),
  );
  if (!fileResult.success) problems.push(...issuesToMessages(`${filePath ?? "config"}: `, fileResult.error));
  if (
    envResult.success &&
    envResult.data.KEYGATE_SMTP_URL !== undefined &&
    envResult.data.KEYGATE_MAIL_FROM === undefined
  ) {
    problems.push("env KEYGATE_MAIL_FROM: required with KEYGATE_SMTP_URL (the From of consumer mail)");
  }
  if (
    envResult.success &&
    (role === "all" || role === "gateway") &&
    envResult.data.KEYGATE_UPSTREAM === undefined
  ) {
    problems.push("env KEYGATE_UPSTREAM: required when the gateway runs (role all or gateway)");
  }
  if (envResult.success) problems.push(...oidcProblems(envResult.data));
  if (envResult.success) problems.push(...workerProblems(envResult.data, role));
  if (!envResult.success || !fileResult.success || problems.length > 0) {
    throw new KeygateError(
      "VALIDATION_FAILED",
      `invalid configuration:\n  ${problems.join("\n  ")}`,
      problems.map((message) => ({ path: "/config", message })),
    );
  }
  const e = envResult.data;
  return deepFreeze({
    ...fileResult.data,
    role,
    adminPort: e.KEYGATE_ADMIN_PORT,
    portalPort: e.KEYGATE_PORTAL_PORT,
    portalUrl: e.KEYGATE_PORTAL_URL.replace(/\/+$/, ""),
    smtpUrl: e.KEYGATE_SMTP_URL,
    mailFrom: e.KEYGATE_MAIL_FROM,
    gatewayPort: e.KEYGATE_GATEWAY_PORT,
    authzPort: e.KEYGATE_AUTHZ_PORT,
    metricsPort: e.KEYGATE_METRICS_PORT,
    metricsHost: e.KEYGATE_METRICS_HOST,
    host: e.KEYGATE_HOST,
    upstream: e.KEYGATE_UPSTREAM,
    databaseUrl: e.KEYGATE_DATABASE_URL,
    redisUrl: e.KEYGATE_REDIS_URL,
    redisPrefix: e.KEYGATE_REDIS_PREFIX,
    adminToken: e.KEYGATE_ADMIN_TOKEN,
    configFile: filePath,
    leakPublicKeysFile: e.KEYGATE_LEAK_PUBLIC_KEYS,
    oidcProvider:
      e.KEYGATE_OIDC_ISSUER !== undefined &&
      e.KEYGATE_OIDC_CLIENT_ID !== undefined &&
      e.KEYGATE_OIDC_CLIENT_SECRET !== undefined
        ? {
            issuer: e.KEYGATE_OIDC_ISSUER,
            clientId: e.KEYGATE_OIDC_CLIENT_ID,
            clientSecret: e.KEYGATE_OIDC_CLIENT_SECRET,
          }
        : undefined,
    logLevel: e.KEYGATE_LOG_LEVEL,
    nodeId: e.KEYGATE_NODE_ID,
    workers: workerCount(e.KEYGATE_WORKERS),
  });
}
