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
import type { Detection } from './watch';
import type { Notifier } from './slack/outbox/notifier';
import { probeJobs } from './probes/probe-jobs';
import { followUpJobs } from './post-rollback/follow-up-jobs';
import { detectionJobs } from './watch/jobs';
import { ticketJobs } from './post-rollback/incident-tickets';
import { GitHubAccess } from './github/github-access';
import { GitHubIssues } from './github/github-issues';
import { retentionJob } from './schedule/retention';
import { type RolloutDeps, rolloutJobs } from './progressive-rollout';

interface JobDeps {
  config: AppConfig;
  db: Db;
  engine: EngineDeps;
  metrics?: Metrics;
  logger: Logger;
  /** The process's one notifier and detection (the composition root's); default: built here. */
  notifier?: Notifier;
  detection?: Detection;
  /** The progressive rollout, whose guard judges every live release each round. */
  rollout?: () => RolloutDeps;
}

export function scheduledJobs(deps: JobDeps): ScheduledJob[] {
  return [
    ...probeJobs({
      services: deps.config.services,
      db: deps.db,
      store: deps.engine.store,
      application: deps.engine.application,
      clock: deps.engine.clock,
      env: deps.engine.env,
      logger: deps.logger.child({ component: 'probes' }),
    }),
    ...followUpJobs({
      db: deps.db,
      engine: deps.engine,
      notifier: deps.notifier,
      logger: deps.logger.child({ component: 'follow-up' }),
    }),
    ...detectionJobs({
      services: deps.config.services,
      db: deps.db,
      engine: deps.engine,
      detection: deps.detection,
      logger: deps.logger.child({ component: 'detection' }),
    }),
    ...ticketJobs({
      engine: deps.engine,
      tickets: new GitHubIssues(
        new GitHubAccess({
          env: deps.engine.env,
          apiUrl: deps.engine.env.GITHUB_API_URL,
          logger: deps.logger.child({ adapter: 'github' }),
        }),
      ),
      logger: deps.logger.child({ component: 'tickets' }),
    }),
    retentionJob(deps.db),
    ...(deps.rollout ? rolloutJobs(deps.rollout, deps.config.services) : []),
  ];
}
