import type { ApiError } from "../api/api-error.ts";

/** One address or CIDR range per line (commas too); blank lines are ignored. The server validates each. */
export function parseAllowedIps(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export function formatAllowedIps(list: readonly string[] | null): string {
  return list === null ? "" : list.join("\n");
}

export const ALLOWED_IPS_HINT =
  "One address or CIDR range per line, e.g. 203.0.113.7 or 2001:db8::/32. Empty: any address may use the key.";

const LIST_PATH = "/body/allowedIps";
const ENTRY_PATH = /^\/body\/allowedIps\/(\d+)$/;

/**
 * The API's problems with an allowlist, in the operator's terms: a problem at
 * `/body/allowedIps/<index>` names the entry it is about (the index counts
 * the entries sent, which are the non-blank lines); one about the whole list
 * (too many entries) is kept as it is.
 */
export function allowedIpsError(error: ApiError | undefined, sent: readonly string[]): string | undefined {
  if (error === undefined) return undefined;
  const messages = error.errors.flatMap((problem) => {
    if (problem.path === LIST_PATH) return [problem.message];
    const index = ENTRY_PATH.exec(problem.path)?.[1];
    if (index === undefined) return [];
    const entry = sent[Number(index)];
    return [
      entry === undefined ? `Entry ${Number(index) + 1} ${problem.message}` : `“${entry}” ${problem.message}`,
    ];
  });
  return messages.length === 0 ? undefined : [...new Set(messages)].join("; ");
}
