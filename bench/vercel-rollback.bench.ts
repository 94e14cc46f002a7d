/**
 * Issue 3's speed target: the bot's own time from "rollback requested" to
 * "verified", minus what the stand-in spends by design. The stand-in adds no
 * latency and its alias job moves one step per poll; the adapter's waits
 * between polls (the designed job duration) are counted and subtracted.
 */
import { silentLogger } from '../src/logger';
import type { CommitSha, DeploymentId, IncidentId } from '../src/rollback/ids';
import { startVercelStandin } from '../src/standins/vercel/server';
import { VercelApplication } from '../src/vercel/vercel-application';
import { exampleService } from '../test/support/services';
import { type Bench, type BenchResult, percentile } from './types';

const RUNS = 30;
const TARGET_MS = 300;
/** A rollback should leave most of a token's rate-limit window to probes and status. */
const MAX_ROLLBACK_CALLS = 20;

async function oneRun(): Promise<{ elapsed: number; designedWaitMs: number; apiCalls: number }> {
  const smoke = { email: 'test@example.com', password: 'bench-password' };
  const standin = await startVercelStandin({
    teamId: 'team_bench',
    projectName: 'dr-amal-clinical-os',
    smokeCredentials: smoke,
  });
  try {
    const state = standin.state;
    state.addDeployment({ version: '1.5.0', live: true, createdAt: Date.now() - 3000 });
    const good = state.addDeployment({ version: '1.9.0', live: true, createdAt: Date.now() - 2000 });
    state.addDeployment({
      version: '2.0.0-beta',
      live: true,
      createdAt: Date.now() - 1000,
      app: { healthStatus: 500 },
    });
    state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    let designedWaitMs = 0;
    const app = new VercelApplication({
      token: standin.token,
      apiUrl: standin.url,
      logger: silentLogger,
      deploymentOrigin: standin.deploymentOrigin,
      env: { SMOKE_TEST_PASSWORD: smoke.password },
      // Poll waits are the stand-in's designed job duration: counted, not spent.
      sleep: (ms) => {
        designedWaitMs += ms;
        return Promise.resolve();
      },
    });
    const service = exampleService({
      vercel: { projectId: 'dr-amal-clinical-os', teamId: 'team_bench' },
      production: { url: standin.appUrl },
    });
    const started = performance.now();
    const target = await app.resolveTarget(service);
    const moved = await app.moveProduction({
      incidentId: 'inc_bench' as IncidentId,
      service,
      targetId: target.target.id as DeploymentId,
    });
    const report = await app.verify(service, { version: target.target.version });
    const elapsed = performance.now() - started;
    if (moved.status !== 'succeeded' || !report.passed || target.target.id !== good.id) {
      throw new Error(`bench run did not roll back cleanly: ${moved.status}, verified ${report.passed}`);
    }
    // The adapter's sleeps never ran, so elapsed already excludes them; the stand-in injects no latency.
    return { elapsed, designedWaitMs, apiCalls: state.requests.length };
  } finally {
    await standin.stop();
  }
}

/**
 * Vercel API calls of a git revert's deploy step: the pushed build found, followed to READY and on until its domains
 * are assigned (3 polls later).
 */
async function revertCalls(): Promise<number> {
  const standin = await startVercelStandin({ teamId: 'team_bench', projectName: 'dr-amal-clinical-os' });
  try {
    const state = standin.state;
    state.addDeployment({ version: '1.9.0', live: true, createdAt: Date.now() - 2000 });
    const commit = 'e4f5a6b'.padEnd(40, '0');
    state.pushCommit(commit, { version: '2.0.1' });
    const app = new VercelApplication({
      token: standin.token,
      apiUrl: standin.url,
      logger: silentLogger,
      sleep: () => Promise.resolve(),
    });
    const service = exampleService({
      vercel: { projectId: 'dr-amal-clinical-os', teamId: 'team_bench', deploysOnPush: true },
      production: { url: standin.appUrl },
    });
    const before = state.requests.length;
    const result = await app.deployCommit({ service, commitSha: commit as CommitSha });
    if (!result.live) throw new Error(`bench revert did not go live: ${result.explanation}`);
    return state.requests.length - before;
  } finally {
    await standin.stop();
  }
}

export const bench: Bench = {
  name: 'vercel-rollback',
  async run(): Promise<BenchResult[]> {
    await oneRun();
    const samples: number[] = [];
    let designed = 0;
    let apiCalls = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const run = await oneRun();
      samples.push(run.elapsed);
      designed = run.designedWaitMs;
      apiCalls = run.apiCalls;
    }
    const deployCalls = await revertCalls();
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    return [
      {
        name: 'rollback requested -> verified, bot time p95',
        value: Math.round(p95 * 10) / 10,
        unit: 'ms',
        target: `<= ${TARGET_MS} ms`,
        pass: p95 <= TARGET_MS,
        comparison:
          `p50 ${Math.round(p50 * 10) / 10} ms; stand-in designed latency 0 ms, alias job ` +
          `poll waits of ${designed} ms per run counted as designed and not spent`,
        method:
          `${RUNS} runs (after 1 warm-up) of resolveTarget + moveProduction (instant ` +
          `rollback) + verify (health, version, 1 smoke) against the local Vercel stand-in ` +
          `over HTTP`,
      },
      {
        name: 'Vercel API calls per instant rollback',
        value: apiCalls,
        unit: 'calls',
        target: `<= ${MAX_ROLLBACK_CALLS} calls`,
        pass: apiCalls <= MAX_ROLLBACK_CALLS,
        comparison:
          `a git revert's deploy step (build found with the sha filter, followed to READY ` +
          `and until its domains are assigned 3 polls later): ${deployCalls} calls`,
        method:
          'requests received by the stand-in during resolveTarget + moveProduction (alias ' +
          'job one step per poll) + verify; and during deployCommit of a pushed commit',
      },
    ];
  },
};
