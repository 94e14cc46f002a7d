/**
 * The release guard's pace: each live release is judged at its service's
 * triggers.evaluationIntervalSeconds (the trigger rules count rounds in it),
 * by one job that ticks at the greatest common divisor of the services' paces.
 */
import { type RolloutDeps, ROLLOUT_GUARD_JOB, rolloutJobs } from '../../../src/progressive-rollout';
import { silentLogger } from '../../../src/logger';
import { exampleService } from '../../support/services';

const fast = exampleService({ name: 'fast-app', triggers: { evaluationIntervalSeconds: 5 } });
const slow = exampleService({ name: 'slow-app', triggers: { evaluationIntervalSeconds: 30 } });

/** Deps whose Vercel read records which service's release the round judged (and fails it, ending the round). */
function recordingDeps(judged: string[]): () => RolloutDeps {
  const deps = {
    engine: { services: [fast, slow], logger: silentLogger, clock: { now: () => new Date() } },
    releases: {
      allLive: () =>
        Promise.resolve([
          { id: 'REL-1', service: 'fast-app' },
          { id: 'REL-2', service: 'slow-app' },
        ]),
    },
    vercel: {
      read: (ref: { projectId: string }) => {
        judged.push(ref.projectId);
        return Promise.reject(new Error('stop here'));
      },
    },
  } as unknown as RolloutDeps;
  return () => deps;
}

async function round(judged: string[], seconds: number): Promise<void> {
  const [job] = rolloutJobs(recordingDeps(judged), [fast, slow]);
  const slot = new Date(Date.UTC(2026, 11, 7, 13, 0, seconds));
  await job?.run({ slot, signal: new AbortController().signal, logger: silentLogger });
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
});
