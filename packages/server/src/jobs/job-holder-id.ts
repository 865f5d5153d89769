import { hostname } from "node:os";
import type { Random } from "@keygate/core";

/**
 * This process's identity in job leases: the node id (or host name), the
 * pid and a random suffix, so two processes never share one, even with the
 * same `KEYGATE_NODE_ID` or after a restart that reuses a pid.
 */
export function jobHolderId(nodeId: string | undefined, random: Random): string {
  const suffix = Buffer.from(random.bytes(4)).toString("hex");
  return `${nodeId ?? hostname()}/${process.pid}/${suffix}`;
}
