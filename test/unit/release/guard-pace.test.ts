/**
 * The release guard's pace: each live release is judged at its service's
 * triggers.evaluationIntervalSeconds (the trigger rules count rounds in it),
 * by one job that ticks at the greatest common divisor of the services' paces.
 */
import { type RolloutDeps, ROLLOUT_GUARD_JOB, rolloutJobs } from '../../../src/progressive-rollout';
import { silentLogger } from '../../../src/logger';
import { INITIAL_GUARD_STATE, roundDue } from '../../../src/rollback/release/guard';
import { exampleService } from '../../support/services';

const fast = exampleService({ name: 'fast-app', triggers: { evaluationIntervalSeconds: 5 } });
const slow = exampleService({ name: 'slow-app', triggers: { evaluationIntervalSeconds: 30 } });
const STAGES = [{ percent: 10, watchMinutes: 30, requireApproval: false }];

/** A live release of `service` whose stage started at `stageStartedAt`, judged last at `judgedAt` if given. */
const live = (service: string, stageStartedAt: Date, judgedAt?: Date) => ({
  id: `REL-${service}`,
  service,
  stages: STAGES,
  stageIndex: 0,
  stageStartedAt,
  triggerState: { ...INITIAL_GUARD_STATE, ...(judgedAt ? { judgedAt: judgedAt.getTime() } : {}) },
});
const at = (hh: number, mm: number, ss = 0): Date => new Date(Date.UTC(2026, 11, 7, hh, mm, ss));

/** Deps whose Vercel read records which service's release the round judged (and fails it, ending the round). */
function recordingDeps(judged: string[], releases = [live('fast-app', at(13, 0)), live('slow-app', at(13, 0))]) {
  const deps = {
    engine: { services: [fast, slow], logger: silentLogger, clock: { now: () => new Date() } },
    releases: { allLive: () => Promise.resolve(releases) },
    vercel: {
      read: (ref: { projectId: string }) => {
        judged.push(ref.projectId);
        return Promise.reject(new Error('stop here'));
      },
    },
  } as unknown as RolloutDeps;
  return (): RolloutDeps => deps;
}

async function round(judged: string[], seconds: number): Promise<void> {
  await runAt(rolloutJobs(recordingDeps(judged), [fast, slow]), at(13, 0, seconds));
}

async function runAt(jobs: ReturnType<typeof rolloutJobs>, slot: Date): Promise<void> {
  await jobs[0]?.run({ slot, signal: new AbortController().signal, logger: silentLogger });
}

describe("the release guard's pace", () => {
  it("ticks every 30 s by default (the runbook's pace), and at the quickest service's pace", () => {
    expect(rolloutJobs(recordingDeps([]), [exampleService()])[0]).toMatchObject({
      name: ROLLOUT_GUARD_JOB,
      cron: '*/30 * * * * *',
    });
    expect(rolloutJobs(recordingDeps([]), [fast, slow])[0]?.cron).toBe('*/5 * * * * *');
    const twenty = exampleService({ name: 'twenty', triggers: { evaluationIntervalSeconds: 20 } });
    expect(rolloutJobs(recordingDeps([]), [twenty, slow])[0]?.cron).toBe('*/10 * * * * *');
  });

  it("judges a release only on its own service's slots", async () => {
    const judged: string[] = [];
    await round(judged, 5);
    expect(judged).toEqual([fast.vercel.projectId]);
    judged.length = 0;
    await round(judged, 30);
    expect(judged).toEqual([fast.vercel.projectId, slow.vercel.projectId]);
  });

  it("counts a pace from the stage's own start, not from UTC-aligned minutes", async () => {
    // Half-hourly rounds; the stage started at 13:07:10 and is watched 30 minutes.
    const halfHourly = exampleService({ name: 'slow-app', triggers: { evaluationIntervalSeconds: 1800 } });
    const judged: string[] = [];
    const jobs = rolloutJobs(recordingDeps(judged, [live('slow-app', at(13, 7, 10))]), [fast, halfHourly]);
    await runAt(jobs, at(13, 30));
    expect(judged).toEqual([]);
    await runAt(jobs, at(13, 37, 5));
    expect(judged).toEqual([]);
    await runAt(jobs, at(13, 37, 10));
    expect(judged).toEqual([halfHourly.vercel.projectId]);
  });

  it('judges a two-hourly release where the hourly slots fall on the half hour (a +05:30 time zone)', async () => {
    const hourly = exampleService({ name: 'fast-app', triggers: { evaluationIntervalSeconds: 3600 } });
    const twoHourly = exampleService({ name: 'slow-app', triggers: { evaluationIntervalSeconds: 7200 } });
    const judged: string[] = [];
    const jobs = rolloutJobs(recordingDeps(judged, [live('slow-app', at(12, 10))]), [hourly, twoHourly]);
    expect(jobs[0]?.cron).toBe('0 * * * *');
    // node-cron reads '0 * * * *' in the scheduler's zone: in Asia/Kolkata it ticks at :30 UTC.
    for (const hour of [12, 13, 14, 15]) await runAt(jobs, at(hour, 30));
    expect(judged.length).toBeGreaterThan(0);
  });

  it("judges the next round a pace after the latest one, or at the first slot after the stage's time is up", () => {
    const stageStart = at(13, 7, 10);
    expect(roundDue(live('slow-app', stageStart, at(13, 37, 10)), 1800, at(14, 0))).toBe(false);
    expect(roundDue(live('slow-app', stageStart, at(13, 37, 10)), 1800, at(14, 7, 10))).toBe(true);
    // A 30-minute stage judged every 20 minutes: rounds at 20 and 40 minutes would watch it 10 minutes too long.
    expect(roundDue(live('slow-app', stageStart, at(13, 27, 10)), 1200, at(13, 37, 10))).toBe(true);
    expect(roundDue(live('slow-app', stageStart, at(13, 27, 10)), 1200, at(13, 37, 5))).toBe(false);
  });
});
