/** The domain never reads the wall clock itself: time is a port, so tests move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Time elapsed, for a worker's own deadlines (the lease it holds on a step):
 * monotonic, so a wall clock that jumps (or a test's clock moved by hours)
 * never makes a worker give up or hold on wrongly.
 */
export interface Stopwatch {
  /** Milliseconds since an arbitrary origin; only differences mean anything. */
  elapsedMs(): number;
}

export const systemStopwatch: Stopwatch = { elapsedMs: () => performance.now() };

/** A clock that only moves when told to; for tests and the drill's simulated time. Its stopwatch moves with it. */
export class ManualClock implements Clock, Stopwatch {
  private current: number;
  private readonly origin: number;
  constructor(start: Date | string = '2026-01-17T10:00:00Z') {
    this.current = new Date(start).getTime();
    this.origin = this.current;
  }
  now(): Date {
    return new Date(this.current);
  }
  elapsedMs(): number {
    return this.current - this.origin;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
