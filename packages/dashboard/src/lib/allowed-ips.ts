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
