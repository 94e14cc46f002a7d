/**
 * Every scheduled job the bot runs, as data for the scheduler (one replica per
 * tick, see src/schedule). Each capability contributes its own job factory here.
 */
import type { AppConfig } from './config/load-config';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { EngineDeps } from './rollback/incident/engine-deps';
import type { ScheduledJob } from './schedule/job';
import type { Db } from './store/pool';

export interface JobDeps {
  config: AppConfig;
  db: Db;
  engine: EngineDeps;
  metrics?: Metrics;
  logger: Logger;
}

export function scheduledJobs(_deps: JobDeps): ScheduledJob[] {
  return [];
}
