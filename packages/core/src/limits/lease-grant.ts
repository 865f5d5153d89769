/** How a lease is sized: see `CounterDraw`. */
export interface LeaseRequest {
  readonly min: number;
  readonly max: number;
  readonly share: number;
}

/**
 * Units a counter grants with `available` units left: `floor(available /
 * share)`, at most `max`, at least `min`, and never more than `available`
 * (0 when `min` does not fit, which a take treats as a refusal). Large while
 * far from the limit, shrinking as the remainder falls, `min` near the end:
 * a node never sits on many units another node could have used.
 * The Redis script mirrors this function; the contract suite checks both.
 */
export function leaseGrant(available: number, request: LeaseRequest): number {
  if (available < request.min) return 0;
  let grant = Math.floor(available / Math.max(1, request.share));
  if (grant > request.max) grant = request.max;
  if (grant < request.min) grant = request.min;
  return Math.min(grant, available);
}
