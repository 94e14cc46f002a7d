/**
 * The feature-flag kill switch as a port: set a service's flag off or on and
 * read it back until it reads the new value. The adapter (src/flags/) speaks
 * to the provider; the domain only sees the outcome or a RollbackError.
 */
import type { EdgeConfigFlag, FlagConfig, ServiceConfig } from '../../config/service-schema';

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
  /** What the flag reads now (the provider's latest), or a reading at most `maxAgeMs` old where one is kept. */
  read(service: ServiceConfig, flag: FlagConfig, options?: FlagReadOptions): Promise<FlagReading>;
}

export interface FlagReadOptions {
  /**
   * A reading taken this recently (on the bot's clock) will do: what is only shown (the messages that offer
   * "Disable <flag>", redrawn on every change) need not ask the provider each time. Absent: read now.
   */
  readonly maxAgeMs?: number;
}

/** Which state an Edge Config item's value stands for, by the flag's `values`. */
export function stateOf(flag: EdgeConfigFlag, value: unknown): FlagState | 'unknown' {
  if (JSON.stringify(value) === JSON.stringify(flag.values.off)) return 'off';
  if (JSON.stringify(value) === JSON.stringify(flag.values.on)) return 'on';
  return 'unknown';
}

/** A flag's row of switches (one per service and flag): the switch under way, or the last one ended. */
export interface FlagSwitchRecord {
  readonly service: string;
  readonly flag: string;
  readonly state: FlagState;
  readonly status: 'switching' | 'done' | 'failed';
  readonly actor: string;
  readonly at: Date;
  readonly incidentId?: string;
}

export interface FlagSwitchClaim {
  readonly service: string;
  readonly flag: string;
  readonly state: FlagState;
  readonly actor: string;
  readonly at: Date;
  readonly incidentId?: string;
  /** A 'switching' claim made before this is a replica that died mid-switch: it may be taken over. */
  readonly staleBefore: Date;
  /** Claim even when the last switch done set the flag to `state` (the provider was read and disagrees). */
  readonly force: boolean;
}

/**
 * The claims that make a switch one write across replicas (a compare-and-set on the row in PostgreSQL, not an
 * in-process lock): a claim is refused while another is under way, or when the last switch already did it.
 */
export interface FlagSwitchClaims {
  /** The claim's token, or the row that refused it. */
  claimFlagSwitch(claim: FlagSwitchClaim): Promise<{ token: string } | { current: FlagSwitchRecord }>;
  /** Ends the claim `token` holds; nothing when another took it over since. */
  endFlagSwitch(end: {
    service: string;
    flag: string;
    token: string;
    status: 'done' | 'failed';
    at: Date;
  }): Promise<void>;
}

/** The timeline kind of a flag the bot switched (and read back): an incident action that is not a rollback. */
export const FLAG_SWITCHED = 'flag_switched';
/** The timeline kind of an attempt the provider refused or that did not read back. */
export const FLAG_FAILED = 'flag_failed';

/** One switch as the metrics read it from the timeline (IncidentStore.flagActions, over a period). */
export interface FlagActionFact {
  readonly service: string;
  readonly at: Date;
  readonly flag: string;
  readonly state: FlagState;
  /** The incident it was done in, if one was open. */
  readonly incidentId?: string;
}

/** What the announcer posts after a switch (in the incident's thread, or the alerts channel). */
export interface FlagNotice {
  readonly service: string;
  readonly flag: string;
  readonly description: string;
  readonly state: FlagState;
  readonly actor: string;
  readonly reason?: string;
  readonly incidentId?: string;
  readonly outcome: FlagOutcome;
  readonly at: Date;
  /** Set after hours: the on-call engineer switched it and these CTOs get a direct message. */
  readonly notifyCto: readonly string[];
}
