/**
 * The `detect:<service>` jobs: each service's trigger rules evaluated every
 * triggers.evaluationIntervalSeconds, on the same cron slots on every replica
 * (one replica runs each slot). An interval that cannot be written as evenly
 * spaced cron slots refuses the start with a config error naming the field.
 */
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { ScheduledJob } from '../schedule/job';
import { intervalCron } from '../schedule/interval-cron';
import { createSlackNotifier } from '../slack/outbox';
import type { Db } from '../store/pool';
import { type Detection, type DetectionOptions, createDetection } from './index';

interface DetectionJobDeps {
  services: readonly ServiceConfig[];
  db: Db;
  engine: EngineDeps;
  logger: Logger;
  /** The process's detection; default: one built for these jobs. */
  detection?: Detection;
}

export const detectJobName = (service: string): string => `detect:${service}`;

const MAX_LOGGED_REASON = 500;

/**
 * A log line stays a line: an evaluation over thousands of firing alerts logs the start of its reason and how much was
 * left out.
 */
export function boundedForLog(text: string, max = MAX_LOGGED_REASON): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… (${text.length - max} more characters; the incident's timeline has the whole reason)`;
}

export function detectionJobs(deps: DetectionJobDeps, options: DetectionOptions = {}): ScheduledJob[] {
  const crons = deps.services.map((service, index) => ({
    service,
    cron: intervalCron(
      service.triggers.evaluationIntervalSeconds,
      `services.${index}.triggers.evaluationIntervalSeconds (${service.name})`,
    ),
  }));
  const detection =
    deps.detection ??
    createDetection(
      {
        db: deps.db,
        services: deps.services,
        engine: () => deps.engine,
        notifier: createSlackNotifier(deps.db),
        logger: deps.logger,
      },
      options,
    );
  return crons.map(({ service, cron }) => ({
    name: detectJobName(service.name),
    cron,
    run: async ({ slot, logger }) => {
      const outcome = await detection.evaluate(service.name, slot);
      if (outcome.evaluated) {
        const level =
          outcome.evaluation.verdict === 'ok' || outcome.evaluation.verdict === 'inconclusive' ? 'debug' : 'info';
        const { verdict, rule, reason } = outcome.evaluation;
        logger[level](
          { verdict, rule, actions: outcome.actions, reasonLength: reason.length },
          `trigger evaluation: ${boundedForLog(reason)}`,
        );
      } else {
        logger.debug({ why: outcome.why }, 'trigger evaluation skipped');
      }
    },
  }));
}
