/**
 * The per-job advisory lock, as queries. Job locks use the two-integer form
 * of the advisory lock functions with their own first key ("RBCJ"), apart
 * from the service locks ("RBSL") and the single-bigint keys (migrations,
 * Prisma), so a job can never block a rollback or the other way round.
 */
import type { Query } from '../store/pool';

const JOB_LOCK_SPACE = 0x5242434a;

export const tryJobLock = (job: string): Query => ({
  text: 'SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked',
  values: [JOB_LOCK_SPACE, job],
});

export const releaseJobLock = (job: string): Query => ({
  text: 'SELECT pg_advisory_unlock($1::int4, hashtext($2)) AS released',
  values: [JOB_LOCK_SPACE, job],
});

/** Records that this replica runs the job's slot; returns a row only for the first replica to claim it. */
export const claimSlot = (job: string, slot: Date, replica: string): Query => ({
  text: `INSERT INTO schedule_slots (job, slot, claimed_by) VALUES ($1, $2, $3)
         ON CONFLICT (job, slot) DO NOTHING RETURNING claimed_by`,
  values: [job, slot, replica],
});

/** Claims older than the retention period: a slot that old is never ticked again. */
export const pruneSlots = (olderThanHours: number): Query => ({
  text: `WITH gone AS (DELETE FROM schedule_slots WHERE claimed_at < now() - make_interval(hours => $1) RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
  values: [olderThanHours],
});
