/**
 * The instants the runbook's metrics are measured between, for one incident.
 * The incident record alone does not know when the faulty deployment went
 * live or which archived values were put back, so the caller adds those.
 */
import type { IncidentRecord } from '../ports/incident-store';

/** One archive a schema rollback made (a dropped table's rows or a column's values). */
export interface ArchiveFact {
  archiveTable: string;
  /** Rows (table archive) or row values (column archive) copied before the drop. */
  rows: number;
  /** True once restore-archive put them back. */
  restored: boolean;
}

export interface IncidentTimes {
  id: string;
  service: string;
  /** Production was restored by a rollback (not a hotfix, false alarm or failure). */
  rolledBack: boolean;
  /** When the deployment that caused the incident started serving. */
  deployedAt?: Date;
  impactStartedAt?: Date;
  detectedAt?: Date;
  decidedAt?: Date;
  restoredAt?: Date;
  archives: ArchiveFact[];
}

/**
 * Reads the times off a stored incident. Detection falls back to the moment
 * the incident was opened (the bot noticed it then at the latest), and the
 * start of impact to detection: with no earlier evidence, that is the
 * shortest honest figure rather than an invented one.
 */
export function incidentTimes(record: IncidentRecord, extra: { deployedAt?: Date; archives?: ArchiveFact[] } = {}): IncidentTimes {
  const detectedAt = record.detectedAt ?? record.openedAt;
  return {
    id: record.id,
    service: record.service,
    rolledBack: record.state === 'resolved' && record.restoredAt !== undefined,
    deployedAt: extra.deployedAt,
    impactStartedAt: record.impactStartedAt ?? detectedAt,
    detectedAt,
    decidedAt: record.decidedAt,
    restoredAt: record.restoredAt,
    archives: extra.archives ?? [],
  };
}

const MINUTE = 60_000;

function minutesBetween(from: Date | undefined, to: Date | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = to.getTime() - from.getTime();
  // A negative span means the inputs disagree (e.g. a deployment recorded after detection): no figure beats a wrong one.
  return ms < 0 ? undefined : ms / MINUTE;
}

/** Deployment -> issue detected, in minutes. */
export const detectionMinutes = (t: IncidentTimes): number | undefined => minutesBetween(t.deployedAt, t.detectedAt);
/** Decision -> production restored, in minutes. */
export const executionMinutes = (t: IncidentTimes): number | undefined => minutesBetween(t.decidedAt, t.restoredAt);
/** Impact start -> production restored, in minutes (the user-facing downtime). */
export const downtimeMinutes = (t: IncidentTimes): number | undefined => minutesBetween(t.impactStartedAt, t.restoredAt);
/** Archived values that were never put back; only known once the incident was rolled back. */
export const dataLossRows = (t: IncidentTimes): number | undefined =>
  t.rolledBack ? t.archives.filter((a) => !a.restored).reduce((sum, a) => sum + a.rows, 0) : undefined;
