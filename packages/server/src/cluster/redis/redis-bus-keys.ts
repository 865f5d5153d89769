/**
 * Every Redis key and channel the change bus touches, derived from one
 * prefix so a deployment (or a test) owns a disjoint namespace.
 */
export interface RedisBusKeys {
  /** The change stream every node reads (XADD/XREAD). */
  readonly stream: string;
  /** Sorted set: node id scored by its last heartbeat time. */
  readonly nodes: string;
  /** Pub/sub channel carrying the id of each change as a node acknowledges it. */
  readonly acksChannel: string;
  /** Hash describing one node (role, host, pid, startedAt, last change applied). */
  node(nodeId: string): string;
  /** Hash recording one change: the nodes live when it was published, its stream id. */
  change(changeId: string): string;
  /** Hash: node id → time it applied the change. */
  changeAcks(changeId: string): string;
}

/**
 * The bus's names. On Redis Cluster (`hashTagged`) every one of them starts
 * with `<prefix>{bus}:`: one hash tag, so the publish script (stream, node
 * set, change record), the acknowledgement pipeline (acks hash, node hash)
 * and every read pipeline stay in one slot, which Cluster requires of a
 * script or MULTI and ioredis of a pipeline. The bus carries admin changes
 * only, so one slot holds it easily. On one primary or Sentinel the names
 * stay those of earlier versions (no tag): nodes of both versions share a bus
 * during a rolling upgrade.
 */
export function redisBusKeys(prefix: string, hashTagged = false): RedisBusKeys {
  const p = hashTagged ? `${prefix}{bus}:` : prefix;
  return {
    stream: `${p}changes`,
    nodes: `${p}nodes`,
    acksChannel: `${p}acks`,
    node: (nodeId) => `${p}node:${nodeId}`,
    change: (changeId) => `${p}change:${changeId}`,
    changeAcks: (changeId) => `${p}change:${changeId}:acks`,
  };
}
