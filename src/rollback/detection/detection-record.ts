/**
 * What detection keeps between intervals, as the domain sees it, and the port
 * it is stored through (PostgreSQL adapter: src/detection/detection-store.ts).
 * A detection record spans one episode of one service: from the first trigger
 * until every alert resolved. It holds at most one incident, so a lasting or
 * repeating alert never opens a second one (nor rolls back twice).
 */
import type { TriggerRule, Verdict } from '../signals/triggers';
import type { AlertState } from './alert-state';

export type TriggerLevel = 'must' | 'should' | 'may';

/** detection: the bot opened it; proposal: a person did, from the MAY post; joined: it was already open. */
export type IncidentOrigin = 'detection' | 'proposal' | 'joined';

export interface MonitorChoice {
  /** Slack user id of who chose to monitor. */
  by: string;
  at: Date;
  /** When the bot asks again if the trigger still fires. */
  until: Date;
}

export interface DetectionRecord {
  id: string;
  service: string;
  status: 'open' | 'ended';
  level: TriggerLevel;
  rule?: TriggerRule;
  reason: string;
  /** Alerts heard since then belong to the episode. */
  since: Date;
  openedAt: Date;
  updatedAt: Date;
  endedAt?: Date;
  endReason?: string;
  incident?: { id: string; origin: IncidentOrigin };
  proposalPosted: boolean;
  monitor?: MonitorChoice;
  /** How many times the bot asked again after a Monitor window. */
  askedAgain: number;
}

export interface NewDetection {
  service: string;
  level: TriggerLevel;
  rule?: TriggerRule;
  reason: string;
  since: Date;
  openedAt: Date;
  incident?: { id: string; origin: IncidentOrigin };
}

export interface DetectionPatch {
  at: Date;
  level?: TriggerLevel;
  rule?: TriggerRule | null;
  reason?: string;
  proposalPosted?: boolean;
  incident?: { id: string; origin: IncidentOrigin };
  /** null clears the Monitor choice (asked again, or overtaken). */
  monitor?: MonitorChoice | null;
  askedAgain?: boolean;
  /** Ends the episode with this reason. */
  end?: string;
}

/** The trigger rules' memory plus what the last evaluation said, for "note on change". */
export interface StoredTriggerState {
  fiveXxIntervals: number;
  lastSlot?: Date;
  lastVerdict?: Verdict;
  lastRule?: TriggerRule;
  lastReason?: string;
}

export interface AlertTotals {
  /** Distinct alerts in the episode. */
  alerts: number;
  firing: number;
  /** Firing notifications received (a storm's size). */
  notifications: number;
  /** When the latest resolve arrived, if any did. */
  lastResolvedAt?: Date;
}

export interface DetectionStore {
  /** Writes folded alert states in one statement. */
  saveAlerts(states: readonly AlertState[]): Promise<void>;
  firingAlerts(service: string, now: Date): Promise<AlertState[]>;
  episodeAlerts(service: string, since: Date, limit: number): Promise<AlertState[]>;
  alertTotals(service: string, since: Date, now: Date): Promise<AlertTotals>;
  forgetStaleAlerts(service: string, before: Date): Promise<number>;

  triggerState(service: string): Promise<StoredTriggerState>;
  /** False when this slot (or a later one) was already evaluated. */
  saveTriggerState(service: string, slot: Date, state: StoredTriggerState): Promise<boolean>;

  /** The open record, or undefined; opening returns the one already open when another won. */
  openDetection(detection: NewDetection): Promise<{ detection: DetectionRecord; created: boolean }>;
  openDetectionOf(service: string): Promise<DetectionRecord | undefined>;
  getDetection(id: string): Promise<DetectionRecord | undefined>;
  detectionOfIncident(incidentId: string): Promise<DetectionRecord | undefined>;
  /** undefined when the record is no longer open (or, when linking, already has an incident). */
  updateDetection(id: string, patch: DetectionPatch): Promise<DetectionRecord | undefined>;
}
