/**
 * Issue 20's speed target: from the canary's MUST evidence to all traffic back
 * on the base deployment, the bot's own time, at most 2 s. Measured over the
 * parts that run on that path: the guard's judgement of the round (trigger
 * rules on the canary's probes), then the application rollback's move of
 * production to the base deployment (the instant rollback that aborts
 * Vercel's rolling release, followed until Vercel says the domains moved).
 * The stand-in adds no latency and its alias job moves one step per poll; the
 * adapter's waits between polls (the designed job duration) are counted, not
 * spent. Not included: the incident's PostgreSQL writes and the runner's
 * pickup (measured by the incident bench).
 */
import { silentLogger } from '../src/logger';
import type { DeploymentId, IncidentId } from '../src/rollback/ids';
import { INITIAL_GUARD_STATE, decide, judgeCanary } from '../src/rollback/release/guard';
import { releasePlan } from '../src/rollback/release/release-plan';
import { startVercelStandin } from '../src/standins/vercel/server';
import { createRollingReleases } from '../src/vercel/rolling-release';
import { VercelApplication } from '../src/vercel/vercel-application';
import { exampleService } from '../test/support/services';
import { type Bench, type BenchResult, percentile } from './types';

const RUNS = 20;
const TARGET_MS = 2000;

async function oneRun(): Promise<{ elapsed: number; designedWaitMs: number }> {
  const standin = await startVercelStandin({ teamId: 'team_bench', projectName: 'dr-amal-clinical-os' });
  try {
    const state = standin.state;
    const base = state.addDeployment({ version: '2.0.0', live: true, createdAt: Date.now() - 2000 });
    const canary = state.addDeployment({ version: '2.1.0', servedProduction: false, createdAt: Date.now() - 1000 });
    const service = exampleService({
      vercel: { projectId: 'dr-amal-clinical-os', teamId: 'team_bench' },
      production: { url: standin.appUrl },
    });
    const ref = { projectId: 'dr-amal-clinical-os', teamId: 'team_bench' };
    const releases = createRollingReleases({
      token: standin.token,
      apiUrl: standin.url,
      sleep: () => Promise.resolve(),
    });
    await releases.configure(ref, [{ targetPercentage: 10 }, { targetPercentage: 50 }, { targetPercentage: 100 }]);
    await releases.start(ref, canary.id);
    let designedWaitMs = 0;
    const app = new VercelApplication({
      token: standin.token,
      apiUrl: standin.url,
      logger: silentLogger,
      deploymentOrigin: standin.deploymentOrigin,
      sleep: (ms) => {
        designedWaitMs += ms;
        return Promise.resolve();
      },
    });
    const stages = releasePlan(service).stages;
    const at = new Date();
    // The round that carries the MUST: sign-in failed on the canary in this round and the one before.
    const failing = [{ check: 'smoke:sign-in', ran: true, ok: false, signIn: true, status: 500, at }];
    const round = { at, canary: failing, canaryLatencies: [], baseLatencies: [], alerts: [] };
    const started = performance.now();
    const judged = judgeCanary({ ...INITIAL_GUARD_STATE, signInFailedRounds: 1 }, round, service.triggers);
    const decision = decide({ state: 'watching', stages, stageIndex: 0, stageStartedAt: at }, judged.evaluation, at);
    if (decision.action !== 'abort') throw new Error(`bench: the MUST did not abort (${decision.action})`);
    const moved = await app.moveProduction({
      incidentId: 'inc_bench' as IncidentId,
      service,
      targetId: base.id as DeploymentId,
    });
    const elapsed = performance.now() - started;
    if (
      moved.status !== 'succeeded' ||
      state.production()?.id !== base.id ||
      state.project.release?.state !== 'ABORTED'
    ) {
      throw new Error(`bench: traffic is not back on the base deployment (${moved.status})`);
    }
    return { elapsed, designedWaitMs };
  } finally {
    await standin.stop();
  }
}

export const bench: Bench = {
  name: 'rollout',
  async run(): Promise<BenchResult[]> {
    const samples: number[] = [];
    let waits = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const run = await oneRun();
      samples.push(run.elapsed);
      waits = run.designedWaitMs;
    }
    const p95 = Math.round(percentile(samples, 95));
    return [
      {
        name: 'canary MUST evidence → traffic back on the base deployment (p95, bot time)',
        value: p95,
        unit: 'ms',
        target: `<= ${TARGET_MS} ms`,
        pass: p95 <= TARGET_MS,
        method:
          `${RUNS} runs against the Vercel stand-in: guard judgement + instant rollback to the base followed to ` +
          `"succeeded"; ${waits} ms of designed alias-job polling per run counted, not spent; incident writes excluded`,
      },
    ];
  },
};
