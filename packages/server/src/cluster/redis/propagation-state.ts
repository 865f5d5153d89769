import type { PropagationStatus } from "../propagation.ts";

/**
 * Decides how far a change has reached from what Redis records about it.
 *
 * - `expected`: nodes live when the change was published.
 * - `acked`: nodes that applied it.
 * - `live`: nodes whose heartbeat is fresh now.
 *
 * An expected node that died without acknowledging stops being waited for
 * (and stops being counted in `nodes`); an acknowledgement counts if its node
 * was expected or is live, so a departed node's ack from long ago or a
 * stranger's never inflates the count. `complete` holds exactly when every
 * expected node that is still live has acknowledged, which is also when
 * `acknowledged === nodes`.
 */
export function propagationState(
  changeId: string,
  expected: readonly string[],
  acked: readonly string[],
  live: readonly string[],
): { status: PropagationStatus; complete: boolean } {
  const liveSet = new Set(live);
  const ackedSet = new Set(acked);
  const counted = new Set<string>();
  for (const node of acked) if (liveSet.has(node) || expected.includes(node)) counted.add(node);
  const nodes = new Set(counted);
  let missing = 0;
  for (const node of expected) {
    if (ackedSet.has(node)) continue;
    if (liveSet.has(node)) {
      nodes.add(node);
      missing++;
    }
  }
  return {
    status: { changeId, nodes: nodes.size, acknowledged: counted.size },
    complete: missing === 0,
  };
}

/** The `nodes` field stored with each change: node ids joined by commas (ids never contain one). */
export function parseNodeList(stored: string | null): string[] {
  if (stored === null || stored === "") return [];
  return stored.split(",");
}
