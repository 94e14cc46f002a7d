/**
 * The scheduler on real PostgreSQL with two replicas (two pools), node-cron
 * driving the ticks and jest's fake timers moving the clock: each tick runs
 * once across replicas, an overrunning job is not started again, and a late
 * replica does not re-run a slot that was already run.
 */
import { silentLogger } from '../../src/logger';
import { createScheduler, type Scheduler, type TickOutcome } from '../../src/schedule/scheduler';
import type { ScheduledJob } from '../../src/schedule/job';
import { createDb, type Db } from '../../src/store/pool';
import { migrate } from '../../src/store/migrate';
import { testDatabase } from '../support/database';

const MINUTE = 60_000;
const START = new Date('2026-01-17T10:00:30Z');

interface Replica {
  name: string;
  db: Db;
  scheduler?: Scheduler;
}

describe('scheduler on several replicas', () => {
  const database = testDatabase('schedule');
  const replicas: Replica[] = [];
  let observer: Db;
  let outcomes: (TickOutcome & { replica: string })[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];

  beforeAll(async () => {
    await database.create();
    observer = createDb(database.url, silentLogger, 2);
    // The bot's tables: schedule_slots records each slot a replica ran.
    await migrate(observer, silentLogger);
    await observer.query({
      text: 'CREATE TABLE job_runs (job text NOT NULL, slot timestamptz NOT NULL, replica text NOT NULL)',
    });
    for (const name of ['replica-a', 'replica-b']) replicas.push({ name, db: createDb(database.url, silentLogger, 4) });
  });

  afterAll(async () => {
    for (const r of replicas) await r.db.close();
    await observer.close();
    await database.drop();
  });

  beforeEach(async () => {
    outcomes = [];
    waiters = [];
    await observer.query({ text: 'TRUNCATE job_runs, schedule_slots' });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: START });
  });

  afterEach(async () => {
    for (const r of replicas) {
      const stopping = r.scheduler?.stop();
      // Stopping cuts claim windows short; let any fake timers that are due fire.
      await jest.advanceTimersByTimeAsync(0);
      await stopping;
      r.scheduler = undefined;
    }
    jest.useRealTimers();
  });

  /** Resolves once `count` outcomes (in total since the test began) were reported: waits for events, not time. */
  function outcomesReach(count: number): Promise<void> {
    if (outcomes.length >= count) return Promise.resolve();
    return new Promise((resolve) => waiters.push({ count, resolve }));
  }

  /** Waits (on real I/O turns, not on time) until no replica is running or holding a job. */
  async function allIdle(): Promise<void> {
    while (replicas.some((r) => (r.scheduler?.running().length ?? 0) > 0))
      await new Promise((resolve) => setImmediate(resolve));
  }

  function startReplicas(jobs: (replica: string) => ScheduledJob[], claimWindowMs?: number): void {
    for (const r of replicas) {
      r.scheduler = createScheduler({
        db: r.db,
        jobs: jobs(r.name),
        logger: silentLogger,
        claimWindowMs,
        onOutcome: (outcome) => {
          outcomes.push({ ...outcome, replica: r.name });
          for (const w of waiters.filter((x) => outcomes.length >= x.count)) w.resolve();
          waiters = waiters.filter((x) => outcomes.length < x.count);
        },
      });
      r.scheduler.start();
    }
  }

  const recordingJob = (replica: string, name = 'probe:health'): ScheduledJob => ({
    name,
    cron: '* * * * *',
    run: async ({ slot }) => {
      await replicas
        .find((r) => r.name === replica)
        ?.db.query({ text: 'INSERT INTO job_runs VALUES ($1, $2, $3)', values: [name, slot, replica] });
    },
  });

  async function runs(): Promise<{ slot: string; n: number }[]> {
    return observer.query<{ slot: string; n: number }>({
      text:
        "SELECT to_char(slot AT TIME ZONE 'UTC', 'HH24:MI:SS') AS slot, count(*)::int AS " +
        'n FROM job_runs GROUP BY slot ORDER BY slot',
    });
  }

  it('runs each tick once across two replicas, and the other replica reports the lock as taken', async () => {
    startReplicas((replica) => [recordingJob(replica)]);
    for (let minute = 1; minute <= 3; minute += 1) {
      await jest.advanceTimersByTimeAsync(minute === 1 ? 30_000 : MINUTE - 5_000);
      await outcomesReach(minute * 2);
      // The winner holds the slot for the claim window (5 s); move past it and let the release query finish.
      await jest.advanceTimersByTimeAsync(5_000);
      await allIdle();
    }
    expect(await runs()).toEqual([
      { slot: '10:01:00', n: 1 },
      { slot: '10:02:00', n: 1 },
      { slot: '10:03:00', n: 1 },
    ]);
    for (const slot of ['10:01:00', '10:02:00', '10:03:00']) {
      const ofSlot = outcomes
        .filter((o) => o.slot.toISOString().slice(11, 19) === slot)
        .map((o) => o.result)
        .sort();
      expect(ofSlot).toEqual(['locked', 'ran']);
    }
  });

  it(
    'does not re-run a slot on a replica whose tick arrives long after the claim ' +
      'window: the slot is recorded as run',
    async () => {
      startReplicas((replica) => [recordingJob(replica)]);
      const a = replicas[0]?.scheduler as Scheduler;
      const b = replicas[1]?.scheduler as Scheduler;
      const holding = a.runTick('probe:health', START);
      await outcomesReach(1);
      // Past the 5 s window (A has let go of the lock), before the next minute's tick: B, its event loop paused 10 s,
      // ticks for the same slot.
      await jest.advanceTimersByTimeAsync(10_000);
      await allIdle();
      expect((await holding).result).toBe('ran');
      expect((await b.runTick('probe:health', START)).result).toBe('already_ran');
      expect(await runs()).toEqual([{ slot: '10:00:30', n: 1 }]);
      const [claim] = await observer.query<{ claimed_by: string }>({
        text: 'SELECT claimed_by FROM schedule_slots WHERE job = $1',
        values: ['probe:health'],
      });
      expect(claim?.claimed_by).toMatch(/^replica-\d+-/);
    },
  );

  it('does not re-run a slot on a replica whose tick arrives late, inside the claim window', async () => {
    startReplicas((replica) => [recordingJob(replica)]);
    const a = replicas[0]?.scheduler as Scheduler;
    const b = replicas[1]?.scheduler as Scheduler;
    const slot = START;
    const holding = a.runTick('probe:health', slot);
    await outcomesReach(1);
    expect(outcomes[0]?.result).toBe('ran');
    // A's job has finished; B's clock is 1.5 s behind and its tick for the same slot comes now.
    await jest.advanceTimersByTimeAsync(1_500);
    expect((await b.runTick('probe:health', slot)).result).toBe('locked');
    expect(await runs()).toEqual([{ slot: '10:00:30', n: 1 }]);
    // Past the claim window A lets go; a tick for a later slot then runs, on either replica.
    await jest.advanceTimersByTimeAsync(3_500);
    expect((await holding).result).toBe('ran');
    void b.runTick('probe:health', new Date(START.getTime() + 5_000));
    await outcomesReach(3);
    expect(outcomes[2]).toMatchObject({ replica: 'replica-b', result: 'ran' });
    expect(await runs()).toEqual([
      { slot: '10:00:30', n: 1 },
      { slot: '10:00:35', n: 1 },
    ]);
  });

  it(
    'never starts an overrunning job again on any replica, and runs it on the next ' + 'tick after it finishes',
    async () => {
      let running = 0;
      let started = 0;
      let maxConcurrent = 0;
      let finish: () => void = () => undefined;
      const slow = (): ScheduledJob => ({
        name: 'report:daily',
        cron: '* * * * *',
        run: async ({ signal }) => {
          running += 1;
          started += 1;
          maxConcurrent = Math.max(maxConcurrent, running);
          // Only the first run overruns: it lasts until the test finishes it (or the scheduler stops).
          if (started === 1) {
            await new Promise<void>((resolve) => {
              finish = resolve;
              signal.addEventListener('abort', () => resolve(), { once: true });
            });
          }
          running -= 1;
        },
      });
      startReplicas(() => [slow()]);
      await jest.advanceTimersByTimeAsync(30_000);
      await outcomesReach(1);
      // The winner records the slot (one more query) before its job starts: wait on I/O turns for it.
      while (started === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(started).toBe(1);
      // The replica that lost the first tick says so at once; the winner reports only when its run ends.
      const [first] = outcomes;
      expect(first?.result).toBe('locked');
      const loser = first?.replica;
      const owner = replicas.find((r) => r.name !== loser)?.name;

      // Three more ticks while it runs: the owner skips locally, the other finds the lock taken.
      for (let tick = 2; tick <= 4; tick += 1) {
        await jest.advanceTimersByTimeAsync(MINUTE);
        await outcomesReach(1 + (tick - 1) * 2);
      }
      expect(started).toBe(1);
      const during = outcomes.slice(1).map((o) => `${o.replica}:${o.result}`);
      expect(during.sort()).toEqual(
        [...Array(3).fill(`${loser}:locked`), ...Array(3).fill(`${owner}:running_here`)].sort(),
      );

      finish();
      await outcomesReach(8);
      expect(outcomes[7]).toMatchObject({ result: 'ran', replica: owner });
      const ranSlot = outcomes[7]?.slot.toISOString();
      expect(ranSlot).toBe('2026-01-17T10:01:00.000Z');

      await allIdle();
      await jest.advanceTimersByTimeAsync(MINUTE);
      await outcomesReach(10);
      expect(started).toBe(2);
      expect(maxConcurrent).toBe(1);
      expect(
        outcomes
          .slice(8)
          .map((o) => o.result)
          .sort(),
      ).toEqual(['locked', 'ran']);
    },
  );
});
