import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leaseGrant } from "./lease-grant.ts";

describe("leaseGrant", () => {
  it("is large far from the limit, shrinks with the remainder, and is the minimum near the end", () => {
    const request = { min: 1, max: 1000, share: 12 };
    expect(leaseGrant(100_000, request)).toBe(1000);
    expect(leaseGrant(600, request)).toBe(50);
    expect(leaseGrant(24, request)).toBe(2);
    expect(leaseGrant(11, request)).toBe(1);
    expect(leaseGrant(1, request)).toBe(1);
  });

  it("refuses (0) when the minimum does not fit", () => {
    expect(leaseGrant(0, { min: 1, max: 10, share: 4 })).toBe(0);
    expect(leaseGrant(4, { min: 5, max: 10, share: 4 })).toBe(0);
  });

  it("grants a cost above the lease ceiling in full", () => {
    expect(leaseGrant(100, { min: 30, max: 10, share: 4 })).toBe(30);
  });

  it("never grants more than available, nor less than min when it grants", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e4 }),
        fc.integer({ min: 1, max: 1e5 }),
        fc.integer({ min: 1, max: 64 }),
        (available, min, max, share) => {
          const grant = leaseGrant(available, { min, max, share });
          expect(grant).toBeLessThanOrEqual(available);
          if (available >= min) {
            expect(grant).toBeGreaterThanOrEqual(min);
            expect(grant).toBeLessThanOrEqual(Math.max(min, max));
          } else {
            expect(grant).toBe(0);
          }
        },
      ),
    );
  });
});
