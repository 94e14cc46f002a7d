/**
 * The probes' scheduled jobs: `probe:<service>` every
 * triggers.evaluationIntervalSeconds (one run of every check, then old
 * results trimmed in batches), and `last-known-good` every minute (the
 * serving deployment of each service becomes last known good once it has
 * served long enough without an incident).
 */
import { lastKnownGoodWithRelease } from '../progressive-rollout/last-known-good';
import { createReleaseStore } from '../store/release-store';
import type { ServiceConfig } from '../config/service-schema';
import { describeDeployment } from '../rollback/last-known-good/rules';
import type { IncidentStore } from '../rollback/ports/incident-store';
import { intervalCron } from '../schedule/interval-cron';
import type { ScheduledJob } from '../schedule/job';
import type { Db } from '../store/pool';
import { type DeploymentRow, toDeployment } from '../store/queries/deployments';
import { deleteOldProbeResults, selectServingDeployment } from '../store/queries/probes';
import { type ProbeDeps, runProbes } from './probe-run';

/** What one probe run needs, for every service, plus how long results are kept. */
export interface ProbeJobDeps extends Omit<ProbeDeps, 'store'> {
  readonly services: readonly ServiceConfig[];
  readonly store: IncidentStore;
  /** How long probe results are kept; default 7 days. */
  readonly keepResultsMs?: number;
}

const KEEP_RESULTS_MS = 7 * 24 * 3600_000;
const DELETE_BATCH = 1000;
/** Per run at most this many batches: a large backlog drains over a few runs instead of making one run long. */
const DELETE_BATCHES_PER_RUN = 10;

export const probeJobName = (service: string): string => `probe:${service}`;
export const LAST_KNOWN_GOOD_JOB = 'last-known-good';

/** Deletes results older than the keep time, batch by batch; returns how many went. */
export async function trimProbeResults(db: Db, service: string, before: Date): Promise<number> {
  let total = 0;
  for (let i = 0; i < DELETE_BATCHES_PER_RUN; i += 1) {
    const [row] = await db.query<{ deleted: number }>(deleteOldProbeResults(service, before, DELETE_BATCH));
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  return total;
}

/** Promotes each service's serving deployment when the rule says so; returns the ones promoted. */
export async function promoteLastKnownGood(
  deps: Pick<ProbeJobDeps, 'services' | 'db' | 'store' | 'clock' | 'logger'>,
): Promise<string[]> {
  const promoted: string[] = [];
  for (const service of deps.services) {
    const [row] = await deps.db.query<DeploymentRow>(selectServingDeployment(service.name));
    const serving = row ? toDeployment(row) : undefined;
    // The newest incident and the open one are all the rule needs: any incident since serving began is at least as new
    // as the newest.
    const [newest] = await deps.store.listIncidents({ service: service.name, limit: 1 });
    const open = await deps.store.findOpenIncident(service.name);
    const incidents = [newest, open]
      .filter((i) => i !== undefined)
      .map((i) => ({ id: i.id, openedAt: i.openedAt, open: i.id === open?.id }));
    const now = deps.clock.now();
    // A deployment released with /rollout is judged from its release: 24 h stable at 100% (the runbook).
    const release = await createReleaseStore(deps.db).latest(service.name);
    const decision = lastKnownGoodWithRelease({ service, serving, release, incidents, now });
    if (!decision.promote) {
      deps.logger.debug({ service: service.name }, `last known good unchanged: ${decision.reason}`);
      continue;
    }
    await deps.store.markLastKnownGood(service.name, decision.deployment.deploymentId, now);
    await deps.store.appendTimeline({
      service: service.name,
      at: now,
      actor: 'rollback-bot',
      kind: 'last_known_good',
      message: decision.reason,
      data: {
        deploymentId: decision.deployment.deploymentId,
        version: decision.deployment.version ?? null,
        commit: decision.deployment.commitSha ?? null,
      },
    });
    deps.logger.info(
      { service: service.name, deploymentId: decision.deployment.deploymentId },
      `last known good: ${describeDeployment(decision.deployment)}`,
    );
    promoted.push(decision.deployment.deploymentId);
  }
  return promoted;
}

export function probeJobs(deps: ProbeJobDeps): ScheduledJob[] {
  const keep = deps.keepResultsMs ?? KEEP_RESULTS_MS;
  const perService = deps.services.map((service): ScheduledJob => ({
    name: probeJobName(service.name),
    cron: intervalCron(
      service.triggers.evaluationIntervalSeconds,
      `services.${service.name}.triggers.evaluationIntervalSeconds`,
    ),
    run: async ({ slot, logger }) => {
      await runProbes({ ...deps, logger: logger.child({ service: service.name }) }, service, slot);
      const trimmed = await trimProbeResults(deps.db, service.name, new Date(deps.clock.now().getTime() - keep));
      if (trimmed > 0) logger.debug({ trimmed }, 'old probe results deleted');
    },
  }));
  return [
    ...perService,
    {
      name: LAST_KNOWN_GOOD_JOB,
      cron: '* * * * *',
      run: async ({ logger }) => void (await promoteLastKnownGood({ ...deps, logger })),
    },
  ];
}
