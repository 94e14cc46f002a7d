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
import { type StoredRelease, createReleaseStore } from '../store/release-store';
import { roundDue } from '../rollback/release/guard';
import type { VercelRollingReleases } from '../vercel/rolling-release';
import { createDetectionStore } from '../watch/detection-store';
import type { RolloutDeps } from './deps';
import { guardAll } from './guard-round';

export type { RolloutDeps };

export const ROLLOUT_GUARD_JOB = 'rollout-guard';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Each live release is judged at its service's trigger pace
 * (triggers.evaluationIntervalSeconds, the runbook's 30 s by default), which
 * the trigger rules count their rounds in. One job ticks at the greatest
 * common divisor of the services' paces (a pace cron can repeat, as each is);
 * a release whose service's pace is longer is judged a pace after its own
 * latest round (or its stage's start), whatever the slots align to (roundDue).
 */
function guardPace(services: readonly ServiceConfig[]): {
  seconds: number;
  due: (release: StoredRelease, slot: Date) => boolean;
} {
  const paces = new Map<string, number>(services.map((s) => [s.name, s.triggers.evaluationIntervalSeconds]));
  const seconds = [...paces.values()].reduce(gcd, 0) || 30;
  const due = (release: StoredRelease, slot: Date): boolean => {
    const pace = paces.get(release.service) ?? seconds;
    return pace <= seconds || roundDue(release, pace, slot);
  };
  return { seconds, due };
}

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

export function rolloutJobs(rollout: () => RolloutDeps, services: readonly ServiceConfig[]): ScheduledJob[] {
  const pace = guardPace(services);
  return [
    {
      name: ROLLOUT_GUARD_JOB,
      cron: intervalCron(pace.seconds, "the rollout guard interval (the services' triggers.evaluationIntervalSeconds)"),
      run: async ({ slot, logger }) => {
        for (const outcome of await guardAll(rollout(), slot, (release) => pace.due(release, slot))) {
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
