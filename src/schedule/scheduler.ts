/**
 * Runs scheduled jobs on every replica's ticker but lets one replica run each
 * tick: a run holds the job's PostgreSQL advisory lock (pg_try_advisory_lock,
 * never waiting). The lock is held while the job runs, so an overrunning job
 * is not started again by any replica, and a little after the slot (the claim
 * window). Under the lock the replica also records the slot (schedule_slots):
 * a replica whose tick comes later than the window, however late, finds the
 * slot recorded and does not run it a second time.
 *
 * Catch-up policy: slots missed while no replica was running are not run
 * late. Each job runs at its next slot after start; every job here looks at
 * the present (the current signal window, what is overdue now), so one late
 * run would add nothing the next slot does not do.
 */
import type { Logger } from '../logger';
import { type Clock, systemClock } from '../rollback/clock';
import { asRollbackError, RollbackError } from '../rollback/errors';
import type { Db } from '../store/pool';
import { type ScheduledJob, validateJobs } from './job';
import { claimSlot, releaseJobLock, tryJobLock } from './job-lock';
import { nodeCronTicker, type Ticker } from './ticker';

type TickResult =
  /** This replica ran the job for the slot. */
  | 'ran'
  /** This replica ran it and the job threw. */
  | 'failed'
  /** The job is still running (or holding its slot) in this process. */
  | 'running_here'
  /** Another replica holds the job's lock: it runs (or just ran) this slot, or is still running an earlier one. */
  | 'locked'
  /** The slot is recorded as run already (by a replica whose tick came earlier). */
  | 'already_ran'
  /** The lock could not be asked for (database unreachable): skipped, the next tick tries again. */
  | 'lock_error'
  /** The scheduler is stopping. */
  | 'stopped';

export interface TickOutcome {
  job: string;
  slot: Date;
  result: TickResult;
  startedAt?: Date;
  finishedAt?: Date;
  error?: RollbackError;
}

type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

interface SchedulerOptions {
  /** Holds one connection per running job (session advisory locks live on a connection): size the pool for it. */
  db: Db;
  jobs: readonly ScheduledJob[];
  logger: Logger;
  clock?: Clock;
  /** Waits out the claim window; resolves early when the signal aborts. */
  sleep?: Sleep;
  ticker?: Ticker;
  /**
   * How long after its slot a tick stays claimed, at most half the gap to the
   * next slot. Covers clock skew and event-loop lag between replicas; default 5 s.
   */
  claimWindowMs?: number;
  /** Who claims slots (recorded with each claim); default: this process. */
  replica?: string;
  /** Every tick's outcome, for metrics and tests. */
  onOutcome?: (outcome: TickOutcome) => void;
}

export interface Scheduler {
  start(): void;
  /** Stops ticking, asks running jobs to stop (signal) and waits for them. */
  stop(): Promise<void>;
  /** One tick of one job, as the ticker calls it; also for running a job by hand. */
  runTick(job: string, slot: Date, nextSlot?: Date): Promise<TickOutcome>;
  /** Names of the jobs running in this process now. */
  running(): string[];
}

const DEFAULT_CLAIM_WINDOW_MS = 5_000;

const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export function createScheduler(options: SchedulerOptions): Scheduler {
  validateJobs(options.jobs);
  const jobs = new Map(options.jobs.map((job) => [job.name, job]));
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? abortableSleep;
  const ticker = options.ticker ?? nodeCronTicker();
  const claimWindowMs = options.claimWindowMs ?? DEFAULT_CLAIM_WINDOW_MS;
  const replica = options.replica ?? `replica-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const stopping = new AbortController();
  const runningHere = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  const handles: { stop(): void }[] = [];

  const report = (outcome: TickOutcome): TickOutcome => {
    options.onOutcome?.(outcome);
    return outcome;
  };

  async function holdUntilClaimEnds(slot: Date, nextSlot: Date | undefined): Promise<void> {
    let until = slot.getTime() + claimWindowMs;
    if (nextSlot) until = Math.min(until, slot.getTime() + (nextSlot.getTime() - slot.getTime()) / 2);
    // Never longer than the window: a slot from a ticker on another clock than `clock` (a test or drill
    // clock under real cron) would otherwise hold the lock for the whole gap between the two clocks.
    await sleep(Math.min(until - clock.now().getTime(), claimWindowMs), stopping.signal);
  }

  async function runLocked(
    job: ScheduledJob,
    slot: Date,
    nextSlot: Date | undefined,
    logger: Logger,
  ): Promise<TickOutcome> {
    return options.db.withClient(async (client) => {
      const [row] = await client.query<{ locked: boolean }>(tryJobLock(job.name));
      if (!row?.locked) return report({ job: job.name, slot, result: 'locked' });
      if (stopping.signal.aborted) {
        // stop() came while the lock was being asked for: a job started now would never hear the abort.
        await client.query(releaseJobLock(job.name)).catch(() => undefined);
        return report({ job: job.name, slot, result: 'stopped' });
      }
      let claimed: boolean;
      try {
        claimed = (await client.query(claimSlot(job.name, slot, replica))).length === 1;
      } catch (error) {
        await client.query(releaseJobLock(job.name)).catch(() => undefined);
        throw error;
      }
      if (!claimed) {
        await client.query(releaseJobLock(job.name)).catch(() => undefined);
        return report({ job: job.name, slot, result: 'already_ran' });
      }
      const startedAt = clock.now();
      let outcome: TickOutcome;
      try {
        await job.run({ slot, signal: stopping.signal, logger });
        logger.debug({ ms: clock.now().getTime() - startedAt.getTime() }, 'scheduled job finished');
        outcome = { job: job.name, slot, result: 'ran', startedAt, finishedAt: clock.now() };
      } catch (thrown) {
        const error = asRollbackError(thrown);
        logger.error({ err: error, fix: error.fix }, `scheduled job ${job.name} failed: ${error.message}`);
        outcome = { job: job.name, slot, result: 'failed', startedAt, finishedAt: clock.now(), error };
      }
      // Reported when the job ends, not when the claim window does: that is when its work is done.
      report(outcome);
      try {
        await holdUntilClaimEnds(slot, nextSlot);
      } finally {
        // A lost connection already released the lock with its session.
        await client.query(releaseJobLock(job.name)).catch(() => undefined);
      }
      return outcome;
    });
  }

  async function tick(name: string, slot: Date, nextSlot: Date | undefined): Promise<TickOutcome> {
    const job = jobs.get(name);
    if (!job) {
      throw new RollbackError('not_found', `No scheduled job is named "${name}".`, {
        fix: `Known jobs: ${[...jobs.keys()].join(', ') || 'none'}.`,
      });
    }
    if (stopping.signal.aborted) return report({ job: name, slot, result: 'stopped' });
    if (runningHere.has(name)) return report({ job: name, slot, result: 'running_here' });
    runningHere.add(name);
    const logger = options.logger.child({ job: name, slot: slot.toISOString() });
    try {
      return await runLocked(job, slot, nextSlot, logger);
    } catch (thrown) {
      const error = asRollbackError(thrown);
      logger.warn({ err: error }, `scheduled job ${name} skipped this tick: ${error.message}`);
      return report({ job: name, slot, result: 'lock_error', error });
    } finally {
      runningHere.delete(name);
    }
  }

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  return {
    start() {
      if (handles.length || stopping.signal.aborted) return;
      for (const job of jobs.values()) {
        handles.push(ticker.schedule(job, (slot, nextSlot) => void track(tick(job.name, slot, nextSlot))));
      }
      options.logger.info({ jobs: [...jobs.keys()] }, 'scheduler started');
    },
    async stop() {
      for (const handle of handles.splice(0)) handle.stop();
      stopping.abort();
      await Promise.allSettled([...inFlight]);
    },
    runTick: (name, slot, nextSlot) => track(tick(name, slot, nextSlot)),
    running: () => [...runningHere],
  };
}
