/**
 * The instants the runbook's metrics are measured between, for one incident,
 * and the one computation of each per-incident metric. Every surface (the
 * COMPLETE footer, the post-mortem, `/rollback stats`, App Home, /metrics,
 * the drill) reads its figures from here, so two never disagree.
 *
 * Instants come from evidence, each with what it was taken from:
 * - went live: when production started serving the deployment (Vercel's alias
 *   or READY time, else the earliest probe that saw it);
 * - impact started: an alert's startsAt, the first failing probe after go-live,
 *   or go-live itself when the failing condition held since then;
 * - detected: the first notice of the rule that fired (its alert, or the
 *   probe run that made it fire).
 */
import type { IncidentEvidence, IncidentRecord } from '../ports/incident-store';

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
  /** What the start of impact was taken from, in words. */
  impactFrom: string;
  detectedAt?: Date;
  /** What detection was taken from, in words (the rule's own evidence). */
  detectedFrom: string;
  decidedAt?: Date;
  restoredAt?: Date;
  archives: ArchiveFact[];
}

/** What the store adds to the incident record: when the bad deployment went live, and the archives. */
export interface TimesExtra {
  deployedAt?: Date;
  archives?: ArchiveFact[];
}

const IMPACT_WORDS: Record<IncidentEvidence['impact'], string> = {
  go_live: 'the deployment going live (the failing condition held since then)',
  alert_starts_at: "the alert's startsAt",
  first_failing_probe: 'the first failing probe after go-live',
  alert_notification: "the alert's first notification (it gave no startsAt)",
  detection: 'detection (no earlier evidence of impact)',
};

/**
 * Reads the times off a stored incident. An impact that began at go-live
 * starts at the deployment's go-live as the store knows it now (a later, more
 * exact go-live moves it too). Without evidence of impact, the start of
 * impact is detection: the shortest honest figure, and said so.
 */
export function incidentTimes(record: IncidentRecord, extra: TimesExtra = {}): IncidentTimes {
  const evidence = record.data.evidence;
  const detectedAt = record.detectedAt ?? record.openedAt;
  const detectedFrom =
    evidence?.detectedFrom ?? (record.detectedAt ? 'the recorded detection' : 'the incident being opened');
  let impactStartedAt = record.impactStartedAt;
  let impactFrom = evidence ? IMPACT_WORDS[evidence.impact] : 'the recorded start of impact';
  if (evidence?.impact === 'go_live' && extra.deployedAt) impactStartedAt = extra.deployedAt;
  if (!impactStartedAt || impactStartedAt.getTime() > detectedAt.getTime()) {
    // Impact is known to have begun by the time it was detected at the latest.
    impactStartedAt = detectedAt;
    impactFrom = `detection (${detectedFrom}; no earlier evidence of impact)`;
  }
  return {
    id: record.id,
    service: record.service,
    rolledBack: record.state === 'resolved' && record.restoredAt !== undefined,
    deployedAt: extra.deployedAt,
    impactStartedAt,
    impactFrom,
    detectedAt,
    detectedFrom,
    decidedAt: record.decidedAt,
    restoredAt: record.restoredAt,
    archives: extra.archives ?? [],
  };
}

/** One incident's figure and what it was measured from. Times are in seconds. */
export interface Measured {
  value: number;
  /** "deployment went live → the sign-in probe", in words. */
  from: string;
}

function secondsBetween(from: Date | undefined, to: Date | undefined, words: string): Measured | undefined {
  if (!from || !to) return undefined;
  const ms = to.getTime() - from.getTime();
  // A negative span means the inputs disagree (e.g. a deployment recorded after detection): no figure beats a wrong
  // one.
  return ms < 0 ? undefined : { value: ms / 1000, from: words };
}

/** Deployment went live → the rule's first evidence. */
export const detectionTime = (t: IncidentTimes): Measured | undefined =>
  secondsBetween(t.deployedAt, t.detectedAt, `deployment went live → detected from ${t.detectedFrom}`);

/** Rollback decided → production restored (verified). */
export const executionTime = (t: IncidentTimes): Measured | undefined =>
  secondsBetween(t.decidedAt, t.restoredAt, 'rollback decided → production restored');

/**
 * Impact started → production restored. An impact that began at go-live makes
 * this at least the detection delay: incidentTimes starts it at go-live.
 */
export const downtime = (t: IncidentTimes): Measured | undefined =>
  secondsBetween(t.impactStartedAt, t.restoredAt, `impact started (${t.impactFrom}) → production restored`);

/** Archived values not restored at the time of asking; only known once the incident was rolled back. */
export function dataLoss(t: IncidentTimes): Measured | undefined {
  if (!t.rolledBack) return undefined;
  const lost = t.archives.filter((a) => !a.restored);
  const rows = lost.reduce((sum, a) => sum + a.rows, 0);
  const from =
    t.archives.length === 0
      ? 'no values were archived'
      : `${t.archives.length} archive(s), ${t.archives.length - lost.length} restored by restore-archive`;
  return { value: rows, from };
}

/** The outage drafts' "Data Loss" line: the measured figure and what it was measured from, never a fixed "None". */
export function dataLossWords(t: IncidentTimes): string {
  const figure = dataLoss(t);
  if (!figure) return 'Not measured yet: it is counted once production is restored.';
  if (figure.value === 0) return `None - all your data is safe (measured: 0 rows lost; ${figure.from}).`;
  return `${figure.value} ${figure.value === 1 ? 'row' : 'rows'} of data not restored yet (${figure.from}).`;
}

export interface IncidentFigures {
  detection?: Measured;
  execution?: Measured;
  downtime?: Measured;
  dataLoss?: Measured;
}

/** Every per-incident figure of one incident. */
export function incidentFigures(t: IncidentTimes): IncidentFigures {
  return { detection: detectionTime(t), execution: executionTime(t), downtime: downtime(t), dataLoss: dataLoss(t) };
}

/**
 * A duration as every surface writes it: "387 ms", "12 s", "3 min 10 s",
 * "1 h 5 min". One writing, so the same figure reads the same everywhere.
 */
export function durationWords(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1000) return `${value} ms`;
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
