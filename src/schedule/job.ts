/**
 * Scheduled jobs as data: `[{ name, cron, run }]`. The scheduler decides when
 * and where (one replica per tick); a job only says what to do.
 */
import { validate } from 'node-cron';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';

interface JobContext {
  /** The tick this run belongs to (the cron slot, not the moment it started). */
  slot: Date;
  /** Aborted when the scheduler stops: long jobs should park their work and return. */
  signal: AbortSignal;
  logger: Logger;
}

export interface ScheduledJob {
  /** Unique across the app; it names the advisory lock every replica contends for. */
  name: string;
  /** node-cron syntax, 5 fields (minute precision) or 6 (seconds first). */
  cron: string;
  /** IANA time zone the cron fields are read in; the scheduler's default when absent. */
  timezone?: string;
  run(context: JobContext): Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9:._-]{0,99}$/;

/** Refuses a job list that would misbehave at run time: bad names, duplicate names, bad cron expressions. */
export function validateJobs(jobs: readonly ScheduledJob[]): void {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (!NAME.test(job.name)) {
      throw new RollbackError('config_invalid', `"${job.name}" is not a usable job name.`, {
        fix:
          'Use lowercase letters, digits and : . _ - (up to 100 characters), e.g. ' +
          '"probe:dr-amal-clinical-os:health".',
      });
    }
    if (seen.has(job.name)) {
      throw new RollbackError(
        'config_invalid',
        `Two scheduled jobs are named "${job.name}"; they would share one lock and skip each other.`,
        {
          fix: 'Give each job its own name.',
        },
      );
    }
    seen.add(job.name);
    if (!validate(job.cron)) {
      throw new RollbackError(
        'config_invalid',
        `The schedule "${job.cron}" of job "${job.name}" is not a valid cron expression.`,
        {
          fix:
            'Use 5 fields (minute hour day-of-month month day-of-week), e.g. "*/5 * * * *", ' +
            'or 6 with seconds first.',
        },
      );
    }
  }
}
