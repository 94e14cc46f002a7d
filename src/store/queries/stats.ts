/**
 * What the runbook's metrics are computed from: incidents with the instants
 * they record, when the deployment that broke went live (the one rolled back
 * from, else the newest to start serving before detection), and the archives a
 * schema rollback made with whether they were put back.
 */
import type { ArchiveFact } from '../../rollback/metrics/incident-times';
import type { Query } from '../pool';
import type { IncidentRow } from './incidents';

const INCIDENT_COLUMNS = `i.id, i.service, i.state, i.severity, i.issue, i.trigger, i.opened_by, i.opened_at,
  i.impact_started_at, i.detected_at, i.decided_at, i.restored_at, i.closed_at, i.channel_id, i.thread_ts, i.data`;

/**
 * The schema steps' outputs name each archive: `archived` (table and rows) after
 * a normal run, `archivedTables` (names only) after a crash was reconciled.
 * archive_facts, synced from the app database, adds row counts and restores.
 */
const ARCHIVES = `COALESCE((
    SELECT jsonb_agg(jsonb_build_object('archiveTable', a.archive_table, 'rows', COALESCE(f.rows, a.rows), 'restored',
      f.restored_at IS NOT NULL)
                     ORDER BY a.archive_table)
    FROM steps s
    CROSS JOIN LATERAL (
      SELECT e->>'archiveTable' AS archive_table, (e->>'rows')::bigint AS rows
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.output->'archived') = 'array' THEN s.output->'archived' ELSE
          '[]'::jsonb END) e
      UNION
      SELECT t #>> '{}', NULL::bigint
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.output->'archivedTables') = 'array' THEN
          s.output->'archivedTables' ELSE '[]'::jsonb END) t
    ) a
    LEFT JOIN archive_facts f ON f.service = i.service AND f.archive_table = a.archive_table
    WHERE s.incident_id = i.id AND s.kind = 'schema' AND s.state = 'succeeded'
  ), '[]'::jsonb) AS archives`;

/**
 * The go-live of the deployment the incident rolled back from (its application
 * step names it); without one, the newest to start serving before detection.
 */
const DEPLOYED_AT = `COALESCE(
    (SELECT d.served_from FROM steps s JOIN deployments d ON d.service = i.service AND d.deployment_id =
      s.input->>'fromDeploymentId'
      WHERE s.incident_id = i.id AND s.kind = 'application' ORDER BY s.position LIMIT 1),
    (SELECT max(d.served_from) FROM deployments d
      WHERE d.service = i.service AND d.served_from <= COALESCE(i.detected_at, i.opened_at))) AS deployed_at`;

export interface MetricsRow extends IncidentRow {
  deployed_at: Date | null;
  archives: { archiveTable: string; rows: number | string | null; restored: boolean }[];
}

/** Incidents that count in [from, to): restored in it, or detected (opened) in it when never restored. */
export const selectMetricsInputs = (options: { service?: string; from: Date; to: Date }): Query => ({
  text: `SELECT ${INCIDENT_COLUMNS}, ${DEPLOYED_AT}, ${ARCHIVES}
         FROM incidents i
         WHERE ($1::text IS NULL OR i.service = $1)
           AND COALESCE(i.restored_at, i.detected_at, i.opened_at) >= $2
           AND COALESCE(i.restored_at, i.detected_at, i.opened_at) < $3
         ORDER BY COALESCE(i.restored_at, i.detected_at, i.opened_at), i.id`,
  values: [options.service ?? null, options.from, options.to],
});

export const selectMetricsInput = (incidentId: string): Query => ({
  text: `SELECT ${INCIDENT_COLUMNS}, ${DEPLOYED_AT}, ${ARCHIVES} FROM incidents i WHERE i.id = $1`,
  values: [incidentId],
});

/** Deployments that started serving (or were first seen) in [from, to). */
export const countDeployments = (options: { service?: string; from: Date; to: Date }): Query => ({
  text: `SELECT count(*)::int AS n FROM deployments
         WHERE ($1::text IS NULL OR service = $1)
           AND COALESCE(served_from, first_seen_at) >= $2 AND COALESCE(served_from, first_seen_at) < $3`,
  values: [options.service ?? null, options.from, options.to],
});

/**
 * Archives with a known row count; one whose count is not known yet (a
 * reconciled step before the first sync) is left out rather than counted as 0.
 */
export function toArchiveFacts(row: MetricsRow): ArchiveFact[] {
  return row.archives.flatMap((a) =>
    a.rows === null ? [] : [{ archiveTable: a.archiveTable, rows: Number(a.rows), restored: a.restored }],
  );
}

/** The archive tables a schema step's output names (as `a.archive_table`), after a normal run or a reconciled crash. */
const STEP_ARCHIVE_NAMES = `CROSS JOIN LATERAL (
           SELECT e->>'archiveTable' AS archive_table
             FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.output->'archived') = 'array' THEN s.output->'archived'
               ELSE '[]'::jsonb END) e
           UNION
           SELECT t #>> '{}'
             FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.output->'archivedTables') = 'array' THEN
               s.output->'archivedTables' ELSE '[]'::jsonb END) t
         ) a`;

/** Archives of schema rollbacks still to be checked against the app database's manifest. */
export const selectUnrestoredArchives = (service: string): Query => ({
  text: `SELECT DISTINCT a.archive_table, s.incident_id
         FROM steps s JOIN incidents i ON i.id = s.incident_id
         ${STEP_ARCHIVE_NAMES}
         LEFT JOIN archive_facts f ON f.service = i.service AND f.archive_table = a.archive_table
         WHERE i.service = $1 AND s.kind = 'schema' AND s.state = 'succeeded' AND f.restored_at IS NULL
         ORDER BY a.archive_table`,
  values: [service],
});

/** Which service's schema rollback made each of these archives (schema-qualified names), from the steps' outputs. */
export const selectArchiveOwners = (archiveTables: readonly string[]): Query => ({
  text: `SELECT DISTINCT i.service, s.incident_id, a.archive_table
         FROM steps s JOIN incidents i ON i.id = s.incident_id
         ${STEP_ARCHIVE_NAMES}
         WHERE s.kind = 'schema' AND s.state = 'succeeded' AND a.archive_table = ANY($1::text[])`,
  values: [archiveTables],
});

export interface ArchiveFactRow {
  archiveTable: string;
  incidentId: string | null;
  rows: number;
  restoredAt: Date | null;
}

export const upsertArchiveFacts = (service: string, facts: readonly ArchiveFactRow[], at: Date): Query => ({
  text: `INSERT INTO archive_facts AS f (service, archive_table, incident_id, rows, restored_at, checked_at)
         SELECT $1, x.archive_table, x.incident_id, x.rows, x.restored_at, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(archive_table text, incident_id text, rows bigint, restored_at
           timestamptz)
         ON CONFLICT (service, archive_table) DO UPDATE SET
           incident_id = COALESCE(EXCLUDED.incident_id, f.incident_id),
           rows = EXCLUDED.rows,
           restored_at = COALESCE(f.restored_at, EXCLUDED.restored_at),
           checked_at = EXCLUDED.checked_at`,
  values: [
    service,
    JSON.stringify(
      facts.map((f) => ({
        archive_table: f.archiveTable,
        incident_id: f.incidentId,
        rows: f.rows,
        restored_at: f.restoredAt,
      })),
    ),
    at,
  ],
});
