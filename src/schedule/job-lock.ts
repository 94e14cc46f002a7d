/**
 * The per-job advisory lock, as queries. Job locks use the two-integer form
 * of the advisory lock functions with their own first key ("RBCJ"), apart
 * from the service locks ("RBSL") and the single-bigint keys (migrations,
 * Prisma), so a job can never block a rollback or the other way round.
 */
import type { Query } from '../store/pool';

export const JOB_LOCK_SPACE = 0x5242434a;

export const tryJobLock = (job: string): Query => ({
  text: 'SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked',
  values: [JOB_LOCK_SPACE, job],
});

export const releaseJobLock = (job: string): Query => ({
  text: 'SELECT pg_advisory_unlock($1::int4, hashtext($2)) AS released',
  values: [JOB_LOCK_SPACE, job],
});
