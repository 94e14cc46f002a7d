/** Plan steps as queries and rows: the durable half of the step state machine. */
import { STEP_KINDS, type StepKind, type StepState, needsApproval } from '../../rollback/incident/step-state';
import type { NewStep, StepError, StepPatch, StepRecord } from '../../rollback/ports/incident-store';
import type { Query } from '../pool';

const COLUMNS =
  `id, incident_id, position, kind, state, input, output, error, attempts, ` +
  `claimed_by, started_at, finished_at, updated_at, lease_token, lease_expires_at`;

/** A pending step of these kinds waits for the CTO (awaiting_approval -> approved) before it may run. */
const KINDS_NEEDING_APPROVAL: readonly StepKind[] = STEP_KINDS.filter(needsApproval);

export interface StepRow {
  id: string;
  incident_id: string;
  position: number;
  kind: StepKind;
  state: StepState;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  error: StepError | null;
  attempts: number;
  claimed_by: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
  lease_token: string | null;
  lease_expires_at: Date | null;
}

export function toStep(row: StepRow): StepRecord {
  return {
    id: row.id,
    incidentId: row.incident_id,
    position: row.position,
    kind: row.kind,
    state: row.state,
    input: row.input,
    output: row.output ?? undefined,
    error: row.error ?? undefined,
    attempts: row.attempts,
    claimedBy: row.claimed_by ?? undefined,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    updatedAt: row.updated_at,
    leaseToken: row.lease_token ?? undefined,
    leaseExpiresAt: row.lease_expires_at ?? undefined,
  };
}

/** bigserial ids: anything else cannot name a step, and would make PostgreSQL fail the cast. */
export const isStepId = (id: string): boolean => /^[1-9][0-9]{0,18}$/.test(id);

/**
 * Appends steps after the incident's last one, keeping the callers' order:
 * positions become max+1, max+2... whether the caller counted from 1 or from
 * the existing steps. Returned in position order.
 */
export const insertSteps = (incidentId: string, steps: readonly NewStep[]): Query => ({
  text: `WITH base AS (SELECT COALESCE(max(position), 0) AS last FROM steps WHERE incident_id = $1),
         given AS (
           SELECT x.kind, x.state, x.input, row_number() OVER (ORDER BY x.position, x.ord) AS rank
           FROM jsonb_to_recordset($2::jsonb) AS x(position integer, ord integer, kind text, state text, input jsonb)
         ),
         inserted AS (
           INSERT INTO steps (incident_id, position, kind, state, input)
           SELECT $1, base.last + given.rank, given.kind, given.state::step_state, COALESCE(given.input, '{}'::jsonb)
           FROM base, given
           RETURNING ${COLUMNS}
         )
         SELECT ${COLUMNS} FROM inserted ORDER BY position`,
  values: [
    incidentId,
    JSON.stringify(
      steps.map((step, ord) => ({
        position: step.position,
        ord,
        kind: step.kind,
        state: step.state,
        input: step.input,
      })),
    ),
  ],
});

export const selectSteps = (incidentId: string): Query => ({
  text: `SELECT ${COLUMNS} FROM steps WHERE incident_id = $1 ORDER BY position`,
  values: [incidentId],
});

export const selectStep = (id: string): Query => ({
  text: `SELECT ${COLUMNS} FROM steps WHERE id = $1::bigint`,
  values: [id],
});

export const selectRunningSteps = (): Query => ({
  text: `SELECT ${COLUMNS} FROM steps
         WHERE state = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= now())
         ORDER BY incident_id, position`,
});

/**
 * The heartbeat of the worker holding `token`: no row once another worker took
 * the step over. An expired lease nobody took is renewed: expiry only permits a
 * takeover, the token decides who owns the step.
 */
export const renewLease = (id: string, token: string, leaseSeconds: number): Query => ({
  text: `UPDATE steps SET lease_expires_at = now() + make_interval(secs => $3::double precision)
         WHERE id = $1::bigint AND state = 'running' AND lease_token = $2::bigint
         RETURNING id`,
  values: [id, token, leaseSeconds],
});

/**
 * Compare-and-set of a step's state plus its patch. undefined fields keep
 * their value; error and claimedBy set to null clear it. started_at is set on
 * entering running and finished_at on entering a final state, unless given.
 * A fenced write (patch.fence) happens only while that token is the step's
 * (no other worker took it over); leaving running ends the lease.
 */
export const moveStep = (id: string, from: StepState, to: StepState, patch: StepPatch = {}): Query => ({
  text: `UPDATE steps SET
           state = $3::step_state,
           input = COALESCE($4::jsonb, input),
           output = COALESCE($5::jsonb, output),
           error = CASE WHEN $6::boolean THEN $7::jsonb ELSE error END,
           claimed_by = CASE WHEN $8::boolean THEN $9::text ELSE claimed_by END,
           started_at = COALESCE($10::timestamptz,
             CASE WHEN $3::step_state = 'running' AND state <> 'running' THEN now() ELSE started_at END),
           finished_at = COALESCE($11::timestamptz,
             CASE WHEN $3::step_state IN ('succeeded', 'failed', 'cancelled') THEN now() ELSE finished_at END),
           attempts = attempts + CASE WHEN $12::boolean THEN 1 ELSE 0 END,
           lease_token = CASE WHEN $13::double precision IS NOT NULL THEN nextval('step_lease_token_seq') ELSE
             lease_token END,
           lease_expires_at = CASE
             WHEN $13::double precision IS NOT NULL THEN now() + make_interval(secs => $13::double precision)
             WHEN $16::boolean OR $3::step_state <> 'running' THEN now()
             ELSE lease_expires_at END,
           updated_at = now()
         WHERE id = $1::bigint AND state = $2::step_state
           AND ($14::bigint IS NULL OR lease_token = $14::bigint)
           AND (NOT $15::boolean OR lease_expires_at IS NULL OR lease_expires_at <= now())
         RETURNING ${COLUMNS}`,
  values: [
    id,
    from,
    to,
    patch.input === undefined ? null : JSON.stringify(patch.input),
    patch.output === undefined ? null : JSON.stringify(patch.output),
    patch.error !== undefined,
    patch.error ? JSON.stringify(patch.error) : null,
    patch.claimedBy !== undefined,
    patch.claimedBy ?? null,
    patch.startedAt ?? null,
    patch.finishedAt ?? null,
    patch.countAttempt ?? false,
    patch.leaseMs === undefined ? null : patch.leaseMs / 1000,
    patch.fence ?? null,
    patch.onlyIfLeaseExpired ?? false,
    patch.releaseLease ?? false,
  ],
});

/**
 * Claims steps that may run now. A claim names the worker and lasts
 * `leaseSeconds` from the step's last change: a worker that claimed and then
 * died does not keep the step forever, and the same worker may take its own
 * claims again. SKIP LOCKED lets concurrent claimers pass each other's rows,
 * and a row claimed meanwhile is re-checked and dropped, so claims are disjoint.
 */
export const claimRunnable = (worker: string, limit: number, leaseSeconds: number): Query => ({
  text: `WITH picked AS (
           SELECT s.id, i.opened_at
           FROM steps s JOIN incidents i ON i.id = s.incident_id
           WHERE i.state IN ('open', 'rolling_back', 'verifying')
             AND (s.state = 'approved' OR (s.state = 'pending' AND s.kind <> ALL($3::text[])))
             AND (s.claimed_by IS NULL OR s.claimed_by = $1 OR s.updated_at <= now() - make_interval(secs => $4::double
               precision))
             AND NOT EXISTS (
               SELECT 1 FROM steps e WHERE e.incident_id = s.incident_id AND e.position < s.position AND e.state <>
                 'succeeded')
           ORDER BY i.opened_at, s.incident_id, s.position
           LIMIT $2
           FOR UPDATE OF s SKIP LOCKED
         ),
         claimed AS (
           UPDATE steps SET claimed_by = $1, updated_at = now()
           FROM picked WHERE steps.id = picked.id
           RETURNING steps.*, picked.opened_at AS incident_opened_at
         )
         SELECT ${COLUMNS} FROM claimed ORDER BY incident_opened_at, incident_id, position`,
  values: [worker, limit, [...KINDS_NEEDING_APPROVAL], leaseSeconds],
});
