/** The releases table: one row per progressive rollout, changed only by a write that names the version it read. */
import type { Release } from '../../rollback/release/release';
import type { ServiceName, SlackUserId } from '../../rollback/ids';
import type { Query } from '../pool';

export interface ReleaseRow {
  id: string;
  service: string;
  state: Release['state'];
  canary: Release['canary'];
  base: Release['base'];
  stages: Release['stages'];
  stage_index: number;
  stage_started_at: Date;
  started_at: Date;
  requested_by: string;
  trigger_state: Release['triggerState'];
  note: string | null;
  abort_percent: number | null;
  incident_id: string | null;
  ended_at: Date | null;
  overrides: Release['overrides'];
  version: number;
}

export type StoredRelease = Release & { readonly version: number };

export function fromRow(row: ReleaseRow): StoredRelease {
  return {
    id: row.id,
    service: row.service as ServiceName,
    state: row.state,
    canary: row.canary,
    base: row.base,
    stages: row.stages,
    stageIndex: row.stage_index,
    stageStartedAt: row.stage_started_at,
    startedAt: row.started_at,
    requestedBy: row.requested_by as SlackUserId,
    triggerState: row.trigger_state,
    note: row.note ?? undefined,
    abortedAtPercent: row.abort_percent ?? undefined,
    incidentId: row.incident_id ?? undefined,
    endedAt: row.ended_at ?? undefined,
    overrides: row.overrides,
    version: row.version,
  };
}

const json = (value: unknown): string => JSON.stringify(value);

export function insertRelease(r: Release): Query {
  return {
    text: `INSERT INTO releases (id, service, state, canary, base, stages, stage_index, stage_started_at, started_at,
             requested_by, trigger_state, note, overrides)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT DO NOTHING RETURNING *`,
    values: [
      r.id,
      r.service,
      r.state,
      json(r.canary),
      json(r.base),
      json(r.stages),
      r.stageIndex,
      r.stageStartedAt,
      r.startedAt,
      r.requestedBy,
      json(r.triggerState),
      r.note ?? null,
      json(r.overrides),
    ],
  };
}

/** Writes the moving parts of a release if nobody changed it since `version` was read. */
export function updateRelease(r: StoredRelease): Query {
  return {
    text: `UPDATE releases SET state = $2, stage_index = $3, stage_started_at = $4, trigger_state = $5, note = $6,
             abort_percent = $7, incident_id = $8, ended_at = $9, version = version + 1
           WHERE id = $1 AND version = $10 RETURNING *`,
    values: [
      r.id,
      r.state,
      r.stageIndex,
      r.stageStartedAt,
      json(r.triggerState),
      r.note ?? null,
      r.abortedAtPercent ?? null,
      r.incidentId ?? null,
      r.endedAt ?? null,
      r.version,
    ],
  };
}

export function liveRelease(service: string): Query {
  return {
    text: `SELECT * FROM releases WHERE service = $1 AND state NOT IN ('aborted', 'completed')`,
    values: [service],
  };
}

export function releaseById(id: string): Query {
  return { text: 'SELECT * FROM releases WHERE id = $1', values: [id] };
}

export function latestRelease(service: string): Query {
  return { text: 'SELECT * FROM releases WHERE service = $1 ORDER BY started_at DESC LIMIT 1', values: [service] };
}

export function liveReleases(): Query {
  return { text: `SELECT * FROM releases WHERE state NOT IN ('aborted', 'completed') ORDER BY started_at` };
}

export function releasesSince(since: Date, service?: string): Query {
  return {
    text: `SELECT * FROM releases WHERE started_at >= $1 AND ($2::text IS NULL OR service = $2) ORDER BY started_at`,
    values: [since, service ?? null],
  };
}
