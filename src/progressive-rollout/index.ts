/**
 * The progressive rollout wired: its dependencies from the engine's, and the
 * `rollout-guard` job that judges every live release each round. The release
 * lives in PostgreSQL, so whichever replica runs the next round (or the bot
 * after a restart) continues it where it was.
 */
import type { ServiceConfig } from '../config/service-schema';
import { signalOf } from '../rollback/detection/alert-state';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import type { PreflightReport } from '../rollback/preflight/report';
import type { ScheduledJob } from '../schedule/job';
import { intervalCron } from '../schedule/interval-cron';
import type { Notifier } from '../slack/outbox/notifier';
import type { Db } from '../store/pool';
import { createReleaseStore } from '../store/release-store';
import type { VercelRollingReleases } from '../vercel/rolling-release';
import { createDetectionStore } from '../watch/detection-store';
import type { RolloutDeps } from './deps';
import { guardAll } from './guard-round';

export type { RolloutDeps };

export const ROLLOUT_GUARD_JOB = 'rollout-guard';
/** How often each live release is judged: the runbook's trigger evaluation pace. */
const GUARD_INTERVAL_SECONDS = 30;

interface RolloutWiring {
  readonly engine: () => EngineDeps;
  readonly db: Db;
  readonly notifier: Notifier;
  readonly vercel: VercelRollingReleases;
  readonly preflight: (
    engine: EngineDeps,
    service: ServiceConfig,
    candidate: string | undefined,
  ) => Promise<PreflightReport>;
  readonly deploymentOrigin?: ((host: string) => string) | undefined;
}

/** Built on first use (the engine starts after the listeners are registered), then kept. */
export function createRollout(wiring: RolloutWiring): () => RolloutDeps {
  let built: RolloutDeps | undefined;
  const releases = createReleaseStore(wiring.db);
  const detections = createDetectionStore(wiring.db);
  return () => {
    if (built) return built;
    const engine = wiring.engine();
    built = {
      engine,
      releases,
      vercel: wiring.vercel,
      notifier: wiring.notifier,
      probe: { clock: engine.clock, env: engine.env, deploymentOrigin: wiring.deploymentOrigin },
      alerts: async (service, now) => (await detections.firingAlerts(service, now)).map(signalOf),
      preflight: (service, candidate) => wiring.preflight(engine, service, candidate),
    };
    return built;
  };
}

export function rolloutJobs(rollout: () => RolloutDeps): ScheduledJob[] {
  return [
    {
      name: ROLLOUT_GUARD_JOB,
      cron: intervalCron(GUARD_INTERVAL_SECONDS, 'the rollout guard interval'),
      run: async ({ logger }) => {
        for (const outcome of await guardAll(rollout())) {
          const level = outcome.action === 'watch' || outcome.action === 'skipped' ? 'debug' : 'info';
          logger[level](
            { release: outcome.release, action: outcome.action },
            `release guard: ${outcome.reason.slice(0, 500)}`,
          );
        }
      },
    },
  ];
}
