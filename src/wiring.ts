/**
 * Builds the incident engine from config and its adapters (see default-adapters):
 * the store, the Slack outbox and announcer, the role directory, detection, the
 * rollout, the runner and the scheduled jobs. Tests and the drill pass their own
 * adapters (pointed at stand-ins) instead.
 */
import type { AppConfig } from './config/load-config';
import { type Adapters, onFirstUse, providerFlags, rollingReleases } from './default-adapters';
import { RecentFlagReads } from './flags/recent-flag-reads';
import type { Logger } from './logger';
import { systemStopwatch } from './rollback/clock';
import { randomIds } from './rollback/id-generator';
import type { EngineDeps } from './rollback/incident/engine-deps';
import { type Runner, startRunner } from './rollback/incident/runner';
import { createAnnouncer, incidentOfRootKey } from './slack/announcer';
import { type OutboxSlackClient, type OutboxWorker, createSlackNotifier, startOutboxWorker } from './slack/outbox';
import { type UsergroupClient, createRoleDirectory } from './slack/role-directory';
import { type MembershipClient, createMembershipWatch, warnAboutMembership } from './slack/membership';
import { createIncidentStore } from './store/incident-store';
import { createReleaseStore } from './store/release-store';
import type { Db } from './store/pool';
import { scheduledJobs } from './jobs';
import { createRollout } from './progressive-rollout';
import { createPreflightRunner } from './post-rollback/replies';
import { type HomeClient, createHomePublisher } from './post-rollback/app-home';
import { syncArchiveRestores } from './post-rollback/archive-restores';
import { measureServiceFigures } from './post-rollback/runbook-gauges';
import type { Metrics } from './metrics';
import { type Scheduler, createScheduler } from './schedule/scheduler';
import { type Detection, type DetectionOptions, createDetection } from './watch';
import type { Ticker } from './schedule/ticker';

export interface EngineOptions {
  /** How often the runner looks for work besides being woken (default 2 s). */
  runnerIntervalMs?: number;
  outboxPollMs?: number;
  /**
   * The Slack client's timeout; the outbox waits 2 s longer before it calls an answer lost (default: the client's 8 s,
   * the outbox's 10 s).
   */
  slackCallTimeoutMs?: number;
  /** Drives the cron jobs' ticks (tests and the drill tick by hand); default node-cron. */
  ticker?: Ticker;
  /** Leave the cron jobs unscheduled (a test that runs ticks itself through engine.scheduler.runTick). */
  noSchedules?: boolean;
  /** Overrides STEP_LEASE_SECONDS. */
  stepLeaseMs?: number;
}

export interface Engine {
  deps: EngineDeps;
  runner: Runner;
  outbox: OutboxWorker;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/** Built before the Slack app (listeners need the engine), started once its client exists. */
export function prepareEngine(input: {
  config: AppConfig;
  env: NodeJS.ProcessEnv;
  db: Db;
  /**
   * A pool of the given size for the scheduler's job locks (default: the shared pool, fine for tests with few jobs).
   */
  lockPool?: (size: number) => Db;
  logger: Logger;
  adapters: Adapters;
  metrics?: Metrics;
  options?: EngineOptions;
  detectionOptions?: DetectionOptions;
}) {
  const { config, db, logger, adapters } = input;
  const store = createIncidentStore(db);
  // Releases are counted on /metrics and App Home as /rollback stats counts them; a rollback during one goes to
  // its base.
  const releases = createReleaseStore(db);
  let outbox: OutboxWorker | undefined;
  // One notifier and one detection per process: the listeners, the jobs and the engine share them.
  const notifier = createSlackNotifier(db, { onStored: () => outbox?.wake() });
  let slackClient: (HomeClient & MembershipClient & UsergroupClient) | undefined;
  // Is the bot in each alerts channel? Logged at start, shown on App Home and in /rollback preflight.
  const membership = createMembershipWatch({
    client: () => slackClient,
    services: config.services,
    logger,
    now: () => adapters.clock.now().getTime(),
  });
  // App Home follows incident changes: every announce asks for a (debounced) refresh of the people looking at it.
  const homes = createHomePublisher({
    db,
    source: () => ({
      ...(engine?.deps ?? { store, services: config.services, clock: adapters.clock, env: input.env }),
      releases,
    }),
    client: () => slackClient,
    logger: logger.child({ component: 'app-home' }),
    warnings: () => membership.problems(),
  });
  // Filled at start and refreshed behind later answers: a /rollback's role check never waits on Slack,
  // and a refused thread's approvals reach every CTO, those named through a user group too.
  const roles = createRoleDirectory(
    {
      usergroups: {
        users: {
          list: (args) =>
            slackClient
              ? slackClient.usergroups.users.list(args)
              : Promise.reject(new Error('the Slack client is not started yet')),
        },
      },
    },
    logger,
    60_000,
    () => adapters.clock.now().getTime(),
  );
  // One instance for the announcer and the runner: the runner's switches make the announcer read the flag anew.
  const flags = new RecentFlagReads(adapters.flags ?? providerFlags(config, input.env, logger), adapters.clock);
  const announcer = createAnnouncer({
    store,
    flags,
    logger: logger.child({ component: 'announcer' }),
    notifier,
    services: config.services,
    clock: adapters.clock,
    roles,
    onAnnounced: () => homes.refresh(),
  });
  input.metrics?.runbook.serve(() => measureServiceFigures(store, config.services, adapters.clock.now(), releases));
  let engine: Engine | undefined;
  const deps = (): EngineDeps => {
    if (!engine) throw new Error('the incident engine is not started yet');
    return engine.deps;
  };
  const detection: Detection = createDetection(
    {
      db,
      services: config.services,
      engine: deps,
      notifier,
      logger: logger.child({ component: 'detection' }),
      metrics: input.metrics,
    },
    input.detectionOptions,
  );
  const rollout = createRollout({
    engine: deps,
    db,
    notifier,
    vercel: adapters.rollingReleases ?? onFirstUse(() => rollingReleases(config, logger)),
    preflight: createPreflightRunner(),
    deploymentOrigin: adapters.deploymentOrigin,
  });
  return {
    membership,
    deps,
    rollout,
    notifier,
    detection,
    start: (client: OutboxSlackClient & UsergroupClient & HomeClient & MembershipClient): Engine => {
      slackClient = client;
      void warnAboutMembership(membership, logger.child({ component: 'slack' }));
      const outboxLogger = logger.child({ component: 'outbox' });
      outbox = startOutboxWorker({
        db,
        client,
        logger: outboxLogger,
        clock: adapters.clock,
        pollMs: input.options?.outboxPollMs,
        callTimeoutMs:
          input.options?.slackCallTimeoutMs === undefined ? undefined : input.options.slackCallTimeoutMs + 2000,
        // A refused thread root: announce again, so the people who must act hear about it by direct message.
        onRefused: (key) => {
          const incidentId = incidentOfRootKey(key);
          if (incidentId)
            void announcer
              .announce(incidentId)
              .catch((error: unknown) =>
                outboxLogger.warn({ err: error, incidentId }, 'could not tell people about a refused thread'),
              );
        },
      });
      void roles.warm(config.services);
      const started = startRunner(
        {
          services: config.services,
          store,
          announcer,
          roles,
          application: adapters.application,
          code: adapters.code,
          schema: adapters.schema,
          liveReleases: releases,
          flags,
          clock: adapters.clock,
          stopwatch: systemStopwatch,
          ids: randomIds,
          logger: logger.child({ component: 'incidents' }),
          env: input.env,
          workerId: `replica-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
          refreshMetricsFacts: async () => {
            await syncArchiveRestores({
              db,
              engine: { services: config.services, env: input.env, clock: adapters.clock },
              logger: logger.child({ component: 'archive-restores' }),
            });
          },
          stepLeaseMs: input.options?.stepLeaseMs ?? config.env.STEP_LEASE_SECONDS * 1000,
        },
        { intervalMs: input.options?.runnerIntervalMs },
      );
      const worker = outbox;
      const jobDeps = { config, db, engine: started.deps, metrics: input.metrics, logger, notifier, detection };
      const jobs = scheduledJobs({ ...jobDeps, rollout });
      const scheduler = createScheduler({
        // Each running job holds a lock connection while its queries use the shared pool.
        db: input.lockPool?.(jobs.length + 1) ?? db,
        jobs,
        logger: logger.child({ component: 'schedule' }),
        clock: adapters.clock,
        ticker: input.options?.ticker,
      });
      if (!input.options?.noSchedules) scheduler.start();
      engine = {
        deps: started.deps,
        runner: started.runner,
        outbox: worker,
        scheduler,
        stop: async () => {
          await scheduler.stop();
          await started.runner.stop();
          await homes.stop();
          await worker.stop();
        },
      };
      return engine;
    },
  };
}
