import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Paths pino censors wherever they appear. Secrets should never be handed to
 * the logger in the first place; this is the second line of defence, and a
 * test scans a whole run's output for secrets to prove the first.
 */
export const REDACTED_PATHS = [
  "secret",
  "*.secret",
  "token",
  "*.token",
  "adminToken",
  "*.adminToken",
  "key",
  "*.key",
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  "headers.authorization",
  'headers["x-api-key"]',
];

export interface LoggerOptions {
  readonly level: string;
  readonly nodeId?: string | undefined;
  /** Defaults to stdout. Tests pass a stream to capture every line. */
  readonly destination?: DestinationStream | undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { node: options.nodeId ?? null },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

export type { Logger };
