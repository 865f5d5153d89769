import type { Clock } from "../ports.ts";

/** Test-only `Clock`: a mutable number of milliseconds, moved by hand. */
export class FakeClock implements Clock {
  current: number;

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }
}
