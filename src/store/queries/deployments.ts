/** The runbook's deployment table: every production deployment seen, and the last known good. */
import type { DeploymentRecord } from '../../rollback/ports/incident-store';
import type { Query } from '../pool';

const COLUMNS =
  `service, deployment_id, url, commit_sha, version, first_seen_at, served_from, ` +
  `served_until, last_known_good_at, notes`;

export interface DeploymentRow {
  service: string;
  deployment_id: string;
  url: string | null;
  commit_sha: string | null;
  version: string | null;
  first_seen_at: Date;
  served_from: Date | null;
  served_until: Date | null;
  last_known_good_at: Date | null;
  notes: string | null;
}

export function toDeployment(row: DeploymentRow): DeploymentRecord {
  return {
    service: row.service,
    deploymentId: row.deployment_id,
    url: row.url ?? undefined,
    commitSha: row.commit_sha ?? undefined,
    version: row.version ?? undefined,
    firstSeenAt: row.first_seen_at,
    servedFrom: row.served_from ?? undefined,
    servedUntil: row.served_until ?? undefined,
    lastKnownGoodAt: row.last_known_good_at ?? undefined,
    notes: row.notes ?? undefined,
  };
}

/**
 * Deployments are learned piecemeal (a webhook knows the URL, a probe the
 * version): a later sighting fills gaps and never blanks what is known.
 * first_seen_at keeps the earliest sighting.
 */
export const upsertDeployment = (deployment: DeploymentRecord): Query => ({
  text: `INSERT INTO deployments AS d (service, deployment_id, url, commit_sha, version, first_seen_at,
           served_from, served_until, last_known_good_at, notes)
         VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()), $7, $8, $9, $10)
         ON CONFLICT (service, deployment_id) DO UPDATE SET
           url = COALESCE(EXCLUDED.url, d.url),
           commit_sha = COALESCE(EXCLUDED.commit_sha, d.commit_sha),
           version = COALESCE(EXCLUDED.version, d.version),
           first_seen_at = LEAST(d.first_seen_at, EXCLUDED.first_seen_at),
           served_from = COALESCE(EXCLUDED.served_from, d.served_from),
           served_until = COALESCE(EXCLUDED.served_until, d.served_until),
           last_known_good_at = COALESCE(EXCLUDED.last_known_good_at, d.last_known_good_at),
           notes = COALESCE(EXCLUDED.notes, d.notes)`,
  values: [
    deployment.service,
    deployment.deploymentId,
    deployment.url ?? null,
    deployment.commitSha ?? null,
    deployment.version ?? null,
    deployment.firstSeenAt ?? null,
    deployment.servedFrom ?? null,
    deployment.servedUntil ?? null,
    deployment.lastKnownGoodAt ?? null,
    deployment.notes ?? null,
  ],
});

/** Newest first: by when it started serving, then (never served, or unknown) by when it was first seen. */
export const selectDeployments = (service: string, limit: number): Query => ({
  text: `SELECT ${COLUMNS} FROM deployments WHERE service = $1
         ORDER BY served_from DESC NULLS LAST, first_seen_at DESC, deployment_id
         LIMIT $2`,
  values: [service, limit],
});

/** Marks a deployment good, recording it first if the bot had not seen it yet. */
export const markLastKnownGood = (service: string, deploymentId: string, at: Date, notes?: string): Query => ({
  text: `INSERT INTO deployments AS d (service, deployment_id, first_seen_at, last_known_good_at, notes)
         VALUES ($1, $2, LEAST(now(), $3::timestamptz), $3, $4)
         ON CONFLICT (service, deployment_id) DO UPDATE SET
           last_known_good_at = EXCLUDED.last_known_good_at,
           notes = COALESCE(EXCLUDED.notes, d.notes)`,
  values: [service, deploymentId, at, notes ?? null],
});
