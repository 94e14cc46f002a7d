/**
 * Incidents as queries and rows, and the per-service advisory lock. The
 * "open" states match the partial unique index incidents_one_open_per_service.
 */
import type { IncidentState } from '../../rollback/incident/incident-state';
import type { IncidentData, IncidentPatch, IncidentRecord, NewIncident } from '../../rollback/ports/incident-store';
import type { Query } from '../pool';

const OPEN_STATES = `('open', 'rolling_back', 'verifying')`;

const COLUMNS = `id, service, state, severity, issue, trigger, opened_by, opened_at, impact_started_at, detected_at,
  decided_at, restored_at, closed_at, channel_id, thread_ts, data`;

export interface IncidentRow {
  id: string;
  service: string;
  state: IncidentState;
  severity: 'must' | 'should' | 'may' | null;
  issue: string;
  trigger: string;
  opened_by: string | null;
  opened_at: Date;
  impact_started_at: Date | null;
  detected_at: Date | null;
  decided_at: Date | null;
  restored_at: Date | null;
  closed_at: Date | null;
  channel_id: string | null;
  thread_ts: string | null;
  data: IncidentData;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function toIncident(row: IncidentRow): IncidentRecord {
  return {
    id: row.id,
    service: row.service,
    state: row.state,
    severity: orUndefined(row.severity),
    issue: row.issue,
    trigger: row.trigger,
    openedBy: orUndefined(row.opened_by),
    openedAt: row.opened_at,
    impactStartedAt: orUndefined(row.impact_started_at),
    detectedAt: orUndefined(row.detected_at),
    decidedAt: orUndefined(row.decided_at),
    restoredAt: orUndefined(row.restored_at),
    closedAt: orUndefined(row.closed_at),
    channelId: orUndefined(row.channel_id),
    threadTs: orUndefined(row.thread_ts),
    data: row.data,
  };
}

/**
 * Returns no row when the service already has an open incident: the partial
 * unique index is the arbiter, so of two concurrent inserts one waits for the
 * other and then does nothing. Reusing an id still fails on the primary key.
 */
export const insertIncident = (incident: NewIncident): Query => ({
  text: `INSERT INTO incidents (id, service, severity, issue, trigger, opened_by, opened_at, impact_started_at,
           detected_at, decided_at, channel_id, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)
         ON CONFLICT (service) WHERE state IN ${OPEN_STATES} DO NOTHING
         RETURNING ${COLUMNS}`,
  values: [
    incident.id,
    incident.service,
    incident.severity ?? null,
    incident.issue,
    incident.trigger,
    incident.openedBy,
    incident.openedAt,
    incident.impactStartedAt ?? null,
    incident.detectedAt ?? null,
    incident.decidedAt ?? null,
    incident.channelId,
    JSON.stringify(incident.data),
  ],
});

export const selectIncident = (id: string): Query => ({
  text: `SELECT ${COLUMNS} FROM incidents WHERE id = $1`,
  values: [id],
});

export const selectOpenIncident = (service: string): Query => ({
  text: `SELECT ${COLUMNS} FROM incidents WHERE service = $1 AND state IN ${OPEN_STATES}`,
  values: [service],
});

/** Locks the row so steps added by two callers at once get distinct positions. */
export const lockIncident = (id: string): Query => ({
  text: `SELECT ${COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`,
  values: [id],
});

export const selectIncidents = (options: { service?: string; limit: number; openOnly?: boolean }): Query => ({
  text: `SELECT ${COLUMNS} FROM incidents
         WHERE ($1::text IS NULL OR service = $1) AND (NOT $2::boolean OR state IN ${OPEN_STATES})
         ORDER BY opened_at DESC, id DESC
         LIMIT $3`,
  values: [options.service ?? null, options.openOnly ?? false, options.limit],
});

/**
 * Applies a patch; undefined fields keep their value and `data` is merged
 * shallowly (jsonb ||). With `from`, it is a compare-and-set on the state:
 * the row lock makes a second concurrent caller re-check and find no row.
 */
export const patchIncident = (id: string, patch: IncidentPatch, from?: IncidentState): Query => ({
  text: `UPDATE incidents SET
           state = COALESCE($2::incident_state, state),
           issue = COALESCE($3::text, issue),
           trigger = COALESCE($4::text, trigger),
           severity = COALESCE($5::text, severity),
           decided_at = COALESCE($6::timestamptz, decided_at),
           restored_at = COALESCE($7::timestamptz, restored_at),
           closed_at = COALESCE($8::timestamptz, closed_at),
           thread_ts = COALESCE($9::text, thread_ts),
           impact_started_at = COALESCE($10::timestamptz, impact_started_at),
           detected_at = COALESCE($11::timestamptz, detected_at),
           data = data || $12::jsonb
         WHERE id = $1 AND ($13::incident_state IS NULL OR state = $13::incident_state)
         RETURNING ${COLUMNS}`,
  values: [
    id,
    patch.state ?? null,
    patch.issue ?? null,
    patch.trigger ?? null,
    patch.severity ?? null,
    patch.decidedAt ?? null,
    patch.restoredAt ?? null,
    patch.closedAt ?? null,
    patch.threadTs ?? null,
    patch.impactStartedAt ?? null,
    patch.detectedAt ?? null,
    JSON.stringify(patch.data ?? {}),
    from ?? null,
  ],
});

/**
 * Service locks use the two-integer form of the advisory lock functions,
 * which PostgreSQL keeps apart from the single-bigint keys (the bot's
 * migration lock, Prisma's 72707369): they can never collide. The first
 * integer ("RBSL") names this use, the second is the service name's hash.
 */
export const SERVICE_LOCK_SPACE = 0x5242534c;

export const tryServiceLock = (service: string): Query => ({
  text: 'SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked',
  values: [SERVICE_LOCK_SPACE, service],
});

export const releaseServiceLock = (service: string): Query => ({
  text: 'SELECT pg_advisory_unlock($1::int4, hashtext($2)) AS released',
  values: [SERVICE_LOCK_SPACE, service],
});
