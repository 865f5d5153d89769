import { AdminClient } from "./admin-client.ts";

export interface OutputOptions {
  readonly json?: boolean;
}

/** The admin API client the CLI commands share, from `KEYGATE_URL` and `KEYGATE_ADMIN_TOKEN`. */
export function adminClient(): AdminClient {
  return new AdminClient({
    baseUrl: process.env.KEYGATE_URL ?? `http://127.0.0.1:${process.env.KEYGATE_ADMIN_PORT ?? "7070"}`,
    token: process.env.KEYGATE_ADMIN_TOKEN,
  });
}

export function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${value}"`);
    return n;
  };
}
