/**
 * The feature-flag kill switch as a port: set a service's flag off or on and
 * read it back until it reads the new value. The adapter (src/flags/) speaks
 * to the provider; the domain only sees the outcome or a RollbackError.
 */
import type { FlagConfig, ServiceConfig } from '../../config/service-schema';

export type FlagState = 'on' | 'off';

export interface FlagChange {
  readonly service: ServiceConfig;
  readonly flag: FlagConfig;
  readonly state: FlagState;
}

export interface FlagOutcome {
  /** The value the provider now holds and that was read back. */
  readonly value: unknown;
  /** Where it was read back: where the app reads it, or the provider's API. */
  readonly readBackFrom: 'edge' | 'api';
  /** Reads until the new value showed (1 when the first read had it). */
  readonly reads: number;
  /** Milliseconds from the write to the read that showed the new value. */
  readonly shownAfterMs: number;
}

export interface FlagReading {
  readonly state: FlagState | 'unknown';
  readonly value: unknown;
}

export interface FlagPort {
  /** Writes the flag's value for `state`, then reads it back until it shows, within the flag's readBackSeconds. */
  set(change: FlagChange): Promise<FlagOutcome>;
  /** What the flag reads now (the provider's latest). */
  read(service: ServiceConfig, flag: FlagConfig): Promise<FlagReading>;
}

/** Which state a value stands for, by the flag's `values`. */
export function stateOf(flag: FlagConfig, value: unknown): FlagState | 'unknown' {
  if (JSON.stringify(value) === JSON.stringify(flag.values.off)) return 'off';
  if (JSON.stringify(value) === JSON.stringify(flag.values.on)) return 'on';
  return 'unknown';
}
