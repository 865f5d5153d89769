/**
 * The hash tag of a counter key as the limiter names it (`consumerId:rest`):
 * the part before the first colon, which `RedisCounterStore` wraps in braces.
 */
export function counterTag(key: string): string {
  const colon = key.indexOf(":");
  return colon === -1 ? key : key.slice(0, colon);
}

/**
 * Splits items into groups whose keys share a hash tag, in first-seen order,
 * each group keeping the items' order: on Redis Cluster each group is one
 * slot, so one script or MGET may touch it.
 */
export function groupByTag<T extends { readonly key: string }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const tag = counterTag(item.key);
    const group = groups.get(tag);
    if (group === undefined) groups.set(tag, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}
