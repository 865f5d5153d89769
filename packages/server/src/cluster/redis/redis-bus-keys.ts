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

export function redisBusKeys(prefix: string): RedisBusKeys {
  return {
    stream: `${prefix}changes`,
    nodes: `${prefix}nodes`,
    acksChannel: `${prefix}acks`,
    node: (nodeId) => `${prefix}node:${nodeId}`,
    change: (changeId) => `${prefix}change:${changeId}`,
    changeAcks: (changeId) => `${prefix}change:${changeId}:acks`,
  };
}
