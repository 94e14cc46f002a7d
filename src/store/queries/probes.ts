/**
 * The probes' records: probe_results (one row per check per run) and the
 * probes' view of the deployments table (which deployment serves now, when
 * production moved to another one).
 */
import type { DeploymentRecord } from '../../rollback/ports/incident-store';
import type { Query } from '../pool';

export interface ProbeResult {
  service: string;
  at: Date;
  /** health | version | db_write | smoke:<name> */
  check: string;
  ran: boolean;
  ok: boolean;
  signIn: boolean;
  statusCode?: number;
  latencyMs: number;
  deploymentId?: string;
  version?: string;
  commitSha?: string;
  error?: string;
}

export interface ProbeResultRow {
  id: string;
  service: string;
  at: Date;
  check_name: string;
  ran: boolean;
  ok: boolean;
  sign_in: boolean;
  status_code: number | null;
  latency_ms: number;
  deployment_id: string | null;
  version: string | null;
  commit_sha: string | null;
  error: string | null;
}

export function toProbeResult(row: ProbeResultRow): ProbeResult {
  return {
    service: row.service,
    at: row.at,
    check: row.check_name,
    ran: row.ran,
    ok: row.ok,
    signIn: row.sign_in,
    statusCode: row.status_code ?? undefined,
    latencyMs: row.latency_ms,
    deploymentId: row.deployment_id ?? undefined,
    version: row.version ?? undefined,
    commitSha: row.commit_sha ?? undefined,
    error: row.error ?? undefined,
  };
}

const RESULT_COLUMNS =
  'id, service, at, check_name, ran, ok, sign_in, status_code, latency_ms, deployment_id, version, commit_sha, error';

/** One run's checks in one statement (arrays unnested side by side). */
export const insertProbeResults = (results: readonly ProbeResult[]): Query => ({
  text: `INSERT INTO probe_results (service, at, check_name, ran, ok, sign_in, status_code, latency_ms,
           deployment_id, version, commit_sha, error)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::boolean[], $5::boolean[], $6::boolean[],
           $7::int[], $8::int[],
                              $9::text[], $10::text[], $11::text[], $12::text[])`,
  values: [
    results.map((r) => r.service),
    results.map((r) => r.at),
    results.map((r) => r.check),
    results.map((r) => r.ran),
    results.map((r) => r.ok),
    results.map((r) => r.signIn),
    results.map((r) => r.statusCode ?? null),
    results.map((r) => Math.max(0, Math.round(r.latencyMs))),
    results.map((r) => r.deploymentId ?? null),
    results.map((r) => r.version ?? null),
    results.map((r) => r.commitSha ?? null),
    results.map((r) => (r.error === undefined ? null : r.error.slice(0, 1000))),
  ],
});

/** The checks recorded in [from, to), oldest first; capped, since an interval holds a handful of runs. */
export const selectProbeWindow = (service: string, from: Date, to: Date, limit = 5000): Query => ({
  text:
    `SELECT ${RESULT_COLUMNS} FROM probe_results WHERE service = $1 AND at >= $2 AND ` +
    `at < $3 ORDER BY at, id LIMIT $4`,
  values: [service, from, to, limit],
});

/** Latencies of a deployment's successful HTTP checks before `to`, newest first, optionally only from `from`. */
export const selectDeploymentLatencies = (
  service: string,
  deploymentId: string,
  to: Date,
  limit: number,
  from?: Date,
): Query => ({
  text: `SELECT latency_ms FROM probe_results
         WHERE service = $1 AND deployment_id = $2 AND ok AND check_name <> 'db_write' AND at < $3 AND ($5::timestamptz
           IS NULL OR at >= $5)
         ORDER BY at DESC, id DESC LIMIT $4`,
  values: [service, deploymentId, to, limit, from ?? null],
});

/**
 * Deletes one batch of results older than `before`; returns how many went.
 * Batched so a backlog never holds a long lock or a long transaction.
 */
export const deleteOldProbeResults = (service: string, before: Date, batch: number): Query => ({
  text: `WITH gone AS (
           DELETE FROM probe_results WHERE id IN (
             SELECT id FROM probe_results WHERE service = $1 AND at < $2 ORDER BY at LIMIT $3)
           RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
  values: [service, before, batch],
});

const DEPLOYMENT_COLUMNS =
  'service, deployment_id, url, commit_sha, version, first_seen_at, served_from, ' +
  'served_until, last_known_good_at, notes';

/** The deployment the probes last saw serving: started, not stopped, the latest to start. */
export const selectServingDeployment = (service: string): Query => ({
  text: `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
         WHERE service = $1 AND served_from IS NOT NULL AND served_until IS NULL
         ORDER BY served_from DESC, first_seen_at DESC LIMIT 1`,
  values: [service],
});

/** The deployment that served before `deploymentId`: the latest other one to stop serving by `before`. */
export const selectPreviousDeployment = (service: string, deploymentId: string, before: Date): Query => ({
  text: `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments
         WHERE service = $1 AND deployment_id <> $2 AND served_from IS NOT NULL AND served_until IS NOT NULL AND
           served_until <= $3
         ORDER BY served_until DESC LIMIT 1`,
  values: [service, deploymentId, before],
});

/** Every other deployment still marked serving stops at `at` (run with startServing in one transaction). */
export const stopServingOthers = (service: string, deploymentId: string, at: Date): Query => ({
  text: `UPDATE deployments SET served_until = GREATEST(served_from, $3::timestamptz)
         WHERE service = $1 AND deployment_id <> $2 AND served_from IS NOT NULL AND served_until IS NULL`,
  values: [service, deploymentId, at],
});

/**
 * Production serves this deployment from `at`: recorded if new, its serving
 * time restarted if it served before (a rollback back to it). What is known
 * about it is kept; notes already written (e.g. "restored by INC-…") win.
 */
export const startServing = (deployment: DeploymentRecord, at: Date): Query => ({
  text: `INSERT INTO deployments AS d (service, deployment_id, url, commit_sha, version, first_seen_at,
           served_from, served_until, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $6, NULL, $7)
         ON CONFLICT (service, deployment_id) DO UPDATE SET
           url = COALESCE(EXCLUDED.url, d.url),
           commit_sha = COALESCE(EXCLUDED.commit_sha, d.commit_sha),
           version = COALESCE(EXCLUDED.version, d.version),
           first_seen_at = LEAST(d.first_seen_at, EXCLUDED.first_seen_at),
           served_from = EXCLUDED.served_from,
           served_until = NULL,
           notes = COALESCE(d.notes, EXCLUDED.notes)`,
  values: [
    deployment.service,
    deployment.deploymentId,
    deployment.url ?? null,
    deployment.commitSha ?? null,
    deployment.version ?? null,
    at,
    deployment.notes ?? null,
  ],
});

/** Each probe run (one stamp) in [from, to], oldest first: whether a check that ran failed. */
export const selectProbeRuns = (service: string, from: Date, to: Date, limit: number): Query => ({
  text: `SELECT at, bool_or(ran AND NOT ok) AS failing FROM probe_results
         WHERE service = $1 AND at >= $2 AND at <= $3 GROUP BY at ORDER BY at LIMIT $4`,
  values: [service, from, to, limit],
});

/** The last probe run that saw this deployment serving. */
export const selectLastSeen = (service: string, deploymentId: string): Query => ({
  text: 'SELECT max(at) AS at FROM probe_results WHERE service = $1 AND deployment_id = $2',
  values: [service, deploymentId],
});
