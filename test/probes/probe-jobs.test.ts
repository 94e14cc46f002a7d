/**
 * The probes' jobs on real PostgreSQL: `probe:<service>` under node-cron with
 * jest's fake timers on two replicas (each tick runs once; a run that
 * overruns because the app hangs is not started again), and
 * `last-known-good` promoting the serving deployment (served long enough
 * without an incident) or not (an incident while it served).
 */
import { silentLogger } from '../../src/logger';
import {
  LAST_KNOWN_GOOD_JOB,
  probeJobName,
  probeJobs,
  promoteLastKnownGood,
  type ProbeJobDeps,
} from '../../src/probes/probe-jobs';
import { ManualClock, systemClock } from '../../src/rollback/clock';
import type { ServiceConfig } from '../../src/config/service-schema';
import { createScheduler, type Scheduler, type TickOutcome } from '../../src/schedule/scheduler';
import { startVercelStandin, type VercelStandin } from '../../src/standins/vercel/server';
import { createIncidentStore } from '../../src/store/incident-store';
import { migrate } from '../../src/store/migrate';
import { createDb, type Db } from '../../src/store/pool';
import { startServing, stopServingOthers } from '../../src/store/queries/probes';
import { upsertService } from '../../src/store/queries/services';
import { VercelApplication } from '../../src/vercel/vercel-application';
import { testDatabase } from '../support/database';
import { exampleService } from '../support/services';

const SERVICE = 'dr-amal-clinical-os';
const SMOKE = { email: 'test@example.com', password: 'smoke-secret-123' };
const HANG_MS = 3_600_000;
const START = new Date('2026-01-20T10:00:15Z');

describe('probe jobs', () => {
  const database = testDatabase('probes_jobs');
  let observer: Db;
  const replicas: { name: string; db: Db; scheduler?: Scheduler }[] = [];
  let vercel: VercelStandin;
  let service: ServiceConfig;
  let outcomes: (TickOutcome & { replica: string })[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  let hanging: Promise<void> = Promise.resolve();
  let releaseHang: () => void = () => undefined;

  beforeAll(async () => {
    await database.create();
    observer = createDb(database.url, silentLogger, 2);
    await migrate(observer, silentLogger);
    vercel = await startVercelStandin({
      teamId: 'team_dramal',
      projectName: SERVICE,
      smokeCredentials: SMOKE,
      appSleep: (ms) => (ms >= HANG_MS ? hanging : Promise.resolve()),
    });
    vercel.state.addDeployment({ version: '1.9.0', live: true });
    service = exampleService({
      vercel: { projectId: SERVICE, teamId: 'team_dramal' },
      production: { url: vercel.appUrl },
    });
    await observer.query(upsertService(service));
    for (const name of ['replica-a', 'replica-b']) replicas.push({ name, db: createDb(database.url, silentLogger, 4) });
  });

  afterAll(async () => {
    releaseHang();
    for (const r of replicas) await r.db.close();
    await observer?.close();
    await vercel?.stop();
    await database.drop();
  });

  const jobDeps = (db: Db, overrides: Partial<ProbeJobDeps> = {}): ProbeJobDeps => ({
    services: [service],
    db,
    store: createIncidentStore(db),
    application: new VercelApplication({
      token: vercel.token,
      apiUrl: vercel.url,
      logger: silentLogger,
      deploymentOrigin: vercel.deploymentOrigin,
    }),
    clock: systemClock,
    env: { SMOKE_TEST_PASSWORD: SMOKE.password },
    logger: silentLogger,
    ...overrides,
  });

  describe('under node-cron on two replicas', () => {
    beforeEach(async () => {
      outcomes = [];
      waiters = [];
      // Each test replays the same slots from START: the durable slot claims of the one before must not answer them.
      await observer.query({ text: 'TRUNCATE probe_results, schedule_slots' });
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: START });
    });

    afterEach(async () => {
      releaseHang();
      for (const r of replicas) {
        const stopping = r.scheduler?.stop();
        await jest.advanceTimersByTimeAsync(0);
        await stopping;
        r.scheduler = undefined;
      }
      jest.useRealTimers();
    });

    function outcomesReach(count: number): Promise<void> {
      if (outcomes.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    }

    /** Waits (on real I/O turns, not on time) until no replica is running or holding a job. */
    async function allIdle(): Promise<void> {
      while (replicas.some((r) => (r.scheduler?.running().length ?? 0) > 0))
        await new Promise((resolve) => setImmediate(resolve));
    }

    function startReplicas(timeoutMs: number): void {
      for (const r of replicas) {
        const jobs = probeJobs(jobDeps(r.db, { timeoutMs })).filter((job) => job.name === probeJobName(SERVICE));
        r.scheduler = createScheduler({
          db: r.db,
          jobs,
          logger: silentLogger,
          onOutcome: (outcome) => {
            outcomes.push({ ...outcome, replica: r.name });
            for (const w of waiters.filter((x) => outcomes.length >= x.count)) w.resolve();
            waiters = waiters.filter((x) => outcomes.length < x.count);
          },
        });
        r.scheduler.start();
      }
    }

    const runsRecorded = () =>
      observer.query<{ at: Date; checks: number }>({
        text: 'SELECT at, count(*)::int AS checks FROM probe_results GROUP BY at ORDER BY at',
      });

    it('runs each probe tick once across the replicas', async () => {
      startReplicas(5_000);
      await jest.advanceTimersByTimeAsync(15_000);
      await outcomesReach(2);
      expect(outcomes.map((o) => o.result).sort()).toEqual(['locked', 'ran']);
      // The winner holds the slot for the claim window (5 s); move past it and let the release finish.
      await jest.advanceTimersByTimeAsync(5_000);
      await allIdle();
      await jest.advanceTimersByTimeAsync(25_000);
      await outcomesReach(4);
      expect(
        outcomes
          .slice(2)
          .map((o) => o.result)
          .sort(),
      ).toEqual(['locked', 'ran']);
      expect(await runsRecorded()).toEqual([
        { at: new Date('2026-01-20T10:00:30Z'), checks: 3 },
        { at: new Date('2026-01-20T10:01:00Z'), checks: 3 },
      ]);
    });

    it('does not start a probe run again while one overruns on a hanging app', async () => {
      hanging = new Promise((resolve) => (releaseHang = resolve));
      const live = vercel.state.production();
      if (!live) throw new Error('no production deployment');
      live.app.latencyMs = HANG_MS;
      startReplicas(120_000);
      await jest.advanceTimersByTimeAsync(15_000);
      await outcomesReach(1);
      const [lost] = outcomes;
      expect(lost?.result).toBe('locked');
      const owner = replicas.find((r) => r.name !== lost?.replica)?.name;
      // Two more slots while the first run waits on the app: skipped here, locked there.
      for (let tick = 1; tick <= 2; tick += 1) {
        await jest.advanceTimersByTimeAsync(30_000);
        await outcomesReach(1 + tick * 2);
      }
      expect(
        outcomes
          .slice(1)
          .map((o) => `${o.replica}:${o.result}`)
          .sort(),
      ).toEqual(
        [`${lost?.replica}:locked`, `${lost?.replica}:locked`, `${owner}:running_here`, `${owner}:running_here`].sort(),
      );
      live.app.latencyMs = 0;
      releaseHang();
      await outcomesReach(6);
      expect(outcomes[5]).toMatchObject({ replica: owner, result: 'ran', slot: new Date('2026-01-20T10:00:30Z') });
      expect(await runsRecorded()).toEqual([{ at: new Date('2026-01-20T10:00:30Z'), checks: 3 }]);
    });
  });

  describe('last known good', () => {
    const clock = new ManualClock('2026-01-20T12:00:00Z');
    const serve = async (deploymentId: string, version: string): Promise<void> => {
      await observer.transaction(async (tx) => {
        await tx.query(stopServingOthers(SERVICE, deploymentId, clock.now()));
        await tx.query(startServing({ service: SERVICE, deploymentId, version, commitSha: 'b7920c6' }, clock.now()));
      });
    };
    const lkg = () =>
      observer.query<{ deployment_id: string; last_known_good_at: Date | null }>({
        text:
          'SELECT deployment_id, last_known_good_at FROM deployments WHERE ' +
          'last_known_good_at IS NOT NULL ORDER BY deployment_id',
      });
    const lines = () =>
      observer.query<{ message: string; incident_id: string | null }>({
        text: "SELECT message, incident_id FROM timeline WHERE kind = 'last_known_good' ORDER BY id",
      });

    it(
      'promotes the serving deployment once it has served lastKnownGoodAfterMinutes ' + 'without an incident, once',
      async () => {
        const deps = { ...jobDeps(observer), clock };
        await serve('dpl_stable', '1.9.0');
        clock.advance(59 * 60_000);
        expect(await promoteLastKnownGood(deps)).toEqual([]);
        clock.advance(60_000);
        expect(await promoteLastKnownGood(deps)).toEqual(['dpl_stable']);
        expect(await lkg()).toEqual([{ deployment_id: 'dpl_stable', last_known_good_at: clock.now() }]);
        clock.advance(60_000);
        expect(await promoteLastKnownGood(deps)).toEqual([]);
        expect(await lines()).toEqual([
          {
            incident_id: null,
            message:
              '1.9.0 (commit b7920c6, dpl_stable) is now last known good: it has served ' +
              'production for 60 minutes without an incident (lastKnownGoodAfterMinutes: 60).',
          },
        ]);
      },
    );

    it('does not promote a deployment during whose serving an incident was opened', async () => {
      const store = createIncidentStore(observer);
      const deps = { ...jobDeps(observer), clock };
      await serve('dpl_flaky', '2.0.0');
      clock.advance(10 * 60_000);
      const { incident } = await store.openIncident(
        {
          id: 'INC-PROBE-1',
          service: SERVICE,
          issue: 'sign-in slow',
          trigger: 'test',
          openedBy: 'U0DEVOPS1',
          openedAt: clock.now(),
          channelId: 'C0PRODALRT',
          data: { request: { kind: 'application' }, requestedBy: 'U0DEVOPS1', owner: 'U0DEVOPS1' },
        },
        [],
      );
      await store.moveIncident(incident.id, 'open', 'cancelled', { closedAt: clock.now() });
      clock.advance(120 * 60_000);
      expect(await promoteLastKnownGood(deps)).toEqual([]);
      expect((await lkg()).map((d) => d.deployment_id)).toEqual(['dpl_stable']);
    });

    it('is in the job list every minute, next to a probe job per service on its interval', () => {
      const jobs = probeJobs(jobDeps(observer));
      expect(jobs.map((j) => [j.name, j.cron])).toEqual([
        [probeJobName(SERVICE), '*/30 * * * * *'],
        [LAST_KNOWN_GOOD_JOB, '* * * * *'],
      ]);
      const odd = exampleService({ triggers: { evaluationIntervalSeconds: 45 } });
      expect(() => probeJobs({ ...jobDeps(observer), services: [odd] })).toThrow(
        /services\.dr-amal-clinical-os\.triggers\.evaluationIntervalSeconds is 45/,
      );
    });
  });
});
