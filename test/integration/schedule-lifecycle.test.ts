/**
 * One scheduler's life on real PostgreSQL: failing jobs, stopping, a
 * database that is down, the lock's own key space, and refused job lists.
 */
import { silentLogger } from '../../src/logger';
import { SERVICE_LOCK_SPACE } from '../../src/store/queries/incidents';
import { createScheduler, type TickOutcome } from '../../src/schedule/scheduler';
import { validateJobs, type ScheduledJob } from '../../src/schedule/job';
import { createDb, type Db } from '../../src/store/pool';
import { migrate } from '../../src/store/migrate';
import { testDatabase } from '../support/database';

const START = new Date('2026-01-17T10:00:30Z');

describe('scheduler lifecycle', () => {
  const database = testDatabase('schedule_life');
  let db: Db;
  let outcomes: TickOutcome[] = [];

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger, 4);
    // The bot's tables: schedule_slots records each slot a replica ran.
    await migrate(db, silentLogger);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });
  beforeEach(async () => {
    await db.query({ text: 'TRUNCATE schedule_slots' });
    outcomes = [];
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: START });
  });
  afterEach(() => jest.useRealTimers());

  async function until(predicate: () => boolean): Promise<void> {
    // Real I/O (the lock query) completes between these turns; fake time does not move.
    while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
  }

  it('reports a failing job, releases its lock, and runs it again on the next tick', async () => {
    let calls = 0;
    const scheduler = createScheduler({
      db,
      logger: silentLogger,
      onOutcome: (o) => outcomes.push(o),
      jobs: [
        {
          name: 'flaky',
          cron: '* * * * *',
          run: async () => {
            calls += 1;
            if (calls === 1) throw new Error('probe URL unreachable');
          },
        },
      ],
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(30_000);
    await until(() => outcomes.length === 1);
    expect(outcomes[0]).toMatchObject({
      result: 'failed',
      error: { code: 'internal', message: 'probe URL unreachable' },
    });
    // Past the claim window the lock is released (a real query); then the next minute's tick.
    await jest.advanceTimersByTimeAsync(5_000);
    await until(() => scheduler.running().length === 0);
    await jest.advanceTimersByTimeAsync(55_000);
    await until(() => outcomes.length === 2);
    expect(outcomes[1]?.result).toBe('ran');
    const stopping = scheduler.stop();
    await jest.advanceTimersByTimeAsync(0);
    await stopping;
  });

  it('on stop, aborts the running job, waits for it, releases the lock and ticks no more', async () => {
    let sawAbort = false;
    let started = false;
    const scheduler = createScheduler({
      db,
      logger: silentLogger,
      onOutcome: (o) => outcomes.push(o),
      jobs: [
        {
          name: 'long',
          cron: '* * * * *',
          run: ({ signal }) =>
            new Promise<void>((resolve) => {
              started = true;
              signal.addEventListener('abort', () => {
                sawAbort = true;
                resolve();
              });
            }),
        },
      ],
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(30_000);
    await until(() => started);
    await scheduler.stop();
    expect(sawAbort).toBe(true);
    expect(outcomes.map((o) => o.result)).toEqual(['ran']);
    expect(scheduler.running()).toEqual([]);
    const [free] = await db.query<{ locked: boolean }>({
      text: "SELECT pg_try_advisory_lock(x'5242434a'::int, hashtext('long')) AS locked",
    });
    expect(free?.locked).toBe(true);
    await db.query({ text: 'SELECT pg_advisory_unlock_all()' });
    await jest.advanceTimersByTimeAsync(120_000);
    expect(outcomes).toHaveLength(1);
    expect((await scheduler.runTick('long', new Date())).result).toBe('stopped');
  });

  it('skips a tick with lock_error when the database is down, without running the job', async () => {
    const down = createDb('postgres://postgres@127.0.0.1:1/none', silentLogger, 1);
    let ran = false;
    const scheduler = createScheduler({
      db: down,
      logger: silentLogger,
      jobs: [{ name: 'probe', cron: '* * * * *', run: async () => void (ran = true) }],
    });
    const outcome = await scheduler.runTick('probe', START);
    expect(outcome).toMatchObject({ result: 'lock_error', error: { code: 'unavailable', retryable: true } });
    expect(ran).toBe(false);
    await scheduler.stop();
    await down.close();
  });

  it("uses its own lock key space: a service lock with the job's name does not block the job", async () => {
    await db.withClient(async (other) => {
      const [held] = await other.query<{ locked: boolean }>({
        text: 'SELECT pg_try_advisory_lock($1::int4, hashtext($2)) AS locked',
        values: [SERVICE_LOCK_SPACE, 'dr-amal-clinical-os'],
      });
      expect(held?.locked).toBe(true);
      const scheduler = createScheduler({
        db,
        logger: silentLogger,
        claimWindowMs: 0,
        jobs: [{ name: 'dr-amal-clinical-os', cron: '* * * * *', run: async () => undefined }],
      });
      expect((await scheduler.runTick('dr-amal-clinical-os', START)).result).toBe('ran');
      await scheduler.stop();
      await other.query({ text: 'SELECT pg_advisory_unlock_all()' });
    });
  });

  it('refuses unknown jobs, duplicate names, bad names and bad cron expressions with a fix', async () => {
    const job = (name: string, cron = '*/5 * * * *'): ScheduledJob => ({ name, cron, run: async () => undefined });
    expect(() => validateJobs([job('a'), job('a')])).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('Two scheduled jobs') }),
    );
    expect(() => validateJobs([job('Has Spaces')])).toThrow(/not a usable job name/);
    expect(() => validateJobs([job('probe', '61 * * * *')])).toThrow(
      expect.objectContaining({ fix: expect.stringContaining('5 fields') }),
    );
    expect(() => validateJobs([job('probe', '*/10 * * * * *'), job('report', '0 9 * * 1')])).not.toThrow();
    const scheduler = createScheduler({ db, logger: silentLogger, jobs: [job('probe')] });
    await expect(scheduler.runTick('nope', START)).rejects.toMatchObject({
      code: 'not_found',
      fix: 'Known jobs: probe.',
    });
    await scheduler.stop();
  });
});
