/**
 * Issue 20's speed target: from the canary's MUST evidence to all production
 * traffic back on the base deployment, at most 2 s of the bot's own time.
 *
 * Through the real bot (HTTP, PostgreSQL store, runner, outbox) against the
 * Slack and Vercel stand-ins, a fresh release each run: /rollout starts it at
 * 10%, the canary's sign-in breaks, a first guard round pauses it, and the
 * measured round carries the MUST. The clock starts when that round's last
 * probe answer has reached the bot (undici's own diagnostics channel, in the
 * bot's process) and stops when the stand-in serves every production request
 * from the base deployment (the rolling release ABORTED and the alias job
 * finished). Between them: the guard's judgement, the release record, the
 * incident's PostgreSQL writes, the runner's pickup, the instant rollback and
 * the alias-job polls. Subtracted: only the Vercel adapter's designed waits
 * between alias-job polls inside that span (Vercel's time, not the bot's), as
 * the incident bench does. The runner ticks at its production pace, so a
 * missing wake would show.
 *
 * Side by side: the same abort as a direct adapter call (the guard's decision
 * on the same evidence, then the instant rollback followed to "succeeded"),
 * with no store, runner or HTTP in front, in alternating order.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Client } from 'pg';
import { silentLogger } from '../src/logger';
import type { DeploymentId, IncidentId } from '../src/rollback/ids';
import { RUNNER_INTERVAL_MS } from '../src/rollback/incident/runner';
import { INITIAL_GUARD_STATE, decide, judgeCanary } from '../src/rollback/release/guard';
import { releasePlan } from '../src/rollback/release/release-plan';
import { startVercelStandin } from '../src/standins/vercel/server';
import { DEPLOYMENT_PREFIX } from '../src/standins/vercel/app-routes';
import { createRollingReleases } from '../src/vercel/rolling-release';
import { VercelApplication } from '../src/vercel/vercel-application';
import { SERVICE, startWorld, type World } from '../test/support/incident-world';
import {
  LEAD_AND_CTO,
  OVERRIDE,
  addCandidate,
  guardRound,
  rollout,
  rolloutService,
} from '../test/support/rollout-world';
import { exampleService } from '../test/support/services';
import { benchDatabase, pairedRounds } from './support';
import { type Bench, type BenchResult, percentile } from './types';

const RUNS = 20;
const TARGET_MS = 2000;

/** What undici publishes about a request (the fields read here). */
interface UndiciRequest {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
}

/** Instants (performance.now) on the measured path, and the designed waits the adapter slept. */
class Marks {
  armed = false;
  evidenceAt: number | undefined;
  abortSentAt: number | undefined;
  servedAt: number | undefined;
  readonly sleeps: { at: number; ms: number }[] = [];

  arm(): void {
    this.armed = true;
    this.evidenceAt = undefined;
    this.abortSentAt = undefined;
    this.servedAt = undefined;
    this.sleeps.length = 0;
  }

  /** The designed waits that fell between the evidence and the move, ms. */
  designedWaitMs(): number {
    const { evidenceAt: from, servedAt: to } = this;
    if (from === undefined || to === undefined) return 0;
    return this.sleeps.filter((s) => s.at >= from && s.at < to).reduce((sum, s) => sum + Math.min(s.ms, to - s.at), 0);
  }
}

/** Records, while armed, when each probe answer of a deployment's own URL has been read, until the abort goes out. */
function watchRequests(marks: Marks, appUrl: string): () => void {
  const probeOrigin = new URL(appUrl).origin;
  const onCreate = ({ request }: { request: UndiciRequest }): void => {
    if (marks.armed && request.method === 'POST' && /\/v1\/projects\/[^/]+\/rollback\//.test(request.path)) {
      marks.abortSentAt ??= performance.now();
    }
  };
  const onDone = ({ request }: { request: UndiciRequest }): void => {
    if (!marks.armed || marks.abortSentAt !== undefined) return;
    if (request.origin === probeOrigin && request.path.startsWith(DEPLOYMENT_PREFIX)) {
      marks.evidenceAt = performance.now();
    }
  };
  const create = onCreate as (message: unknown) => void;
  const done = onDone as (message: unknown) => void;
  subscribe('undici:request:create', create);
  subscribe('undici:request:trailers', done);
  return () => {
    unsubscribe('undici:request:create', create);
    unsubscribe('undici:request:trailers', done);
  };
}

/** Notes the instant the alias job puts production back on the base while the release is ABORTED. */
function watchTraffic(world: World, marks: Marks, baseId: string): void {
  const state = world.vercel.state;
  const tick = state.tickJob.bind(state);
  state.tickJob = () => {
    tick();
    if (marks.armed && state.production()?.id === baseId && state.project.release?.state === 'ABORTED') {
      marks.servedAt ??= performance.now();
    }
  };
}

async function until<T>(read: () => Promise<T | undefined> | T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One aborted release through the bot; the bot's own time from the MUST evidence to the base serving. */
async function abortThroughBot(world: World, marks: Marks, store: Client, run: number): Promise<number> {
  const canary = addCandidate(world);
  const answer = await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`);
  if (!/started/.test(answer)) throw new Error(`bench: run ${run}'s release did not start: ${answer}`);
  world.vercel.state.setApp(canary.id, { smokeStatus: 500 });
  await guardRound(world); // the first failed sign-in: paused
  marks.arm();
  await guardRound(world); // the second in a row: the MUST
  await until(() => marks.servedAt, `run ${run}: traffic back on the base`);
  marks.armed = false;
  if (marks.evidenceAt === undefined) throw new Error(`bench: run ${run} saw no probe answer before the abort`);
  const ownMs = (marks.servedAt as number) - marks.evidenceAt - marks.designedWaitMs();
  // The incident runs to its end (verified, resolved) and the next round records the release aborted.
  await until(async () => {
    const { rows } = await store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM incidents WHERE state = 'resolved' AND service = $1",
      [SERVICE],
    );
    return (rows[0]?.n ?? 0) > run ? true : undefined;
  }, `run ${run}: the incident resolved`);
  await guardRound(world);
  return ownMs;
}

/** The same abort as a direct adapter call: the guard's decision, then the instant rollback followed to its end. */
async function abortDirectly(): Promise<number> {
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
    const app = new VercelApplication({
      token: standin.token,
      apiUrl: standin.url,
      logger: silentLogger,
      deploymentOrigin: standin.deploymentOrigin,
      // The designed waits between alias-job polls are Vercel's time: not spent here.
      sleep: () => Promise.resolve(),
    });
    const stages = releasePlan(service).stages;
    const at = new Date();
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
    const aborted = state.project.release?.state === 'ABORTED';
    if (moved.status !== 'succeeded' || state.production()?.id !== base.id || !aborted) {
      throw new Error(`bench: traffic is not back on the base deployment (${moved.status})`);
    }
    return elapsed;
  } finally {
    await standin.stop();
  }
}

export const bench: Bench = {
  name: 'rollout',
  async run(): Promise<BenchResult[]> {
    const database = await benchDatabase('rollout');
    const marks = new Marks();
    const world = await startWorld({
      databaseUrl: database.url,
      service: rolloutService(),
      runnerIntervalMs: RUNNER_INTERVAL_MS,
      vercelSleep: async (ms) => {
        if (marks.armed) marks.sleeps.push({ at: performance.now(), ms });
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    const stopWatching = watchRequests(marks, world.vercel.appUrl);
    watchTraffic(world, marks, world.history.bad.id);
    const store = new Client({ connectionString: database.url });
    await store.connect();
    let paired: Awaited<ReturnType<typeof pairedRounds>>;
    try {
      paired = await pairedRounds(RUNS, (run) => abortThroughBot(world, marks, store, run), abortDirectly);
    } finally {
      stopWatching();
      await store.end();
      await world.stop();
      await database.drop();
    }
    const p50 = percentile(paired.a, 50);
    const p95 = percentile(paired.a, 95);
    return [
      {
        name: 'canary MUST evidence → all traffic back on the base deployment, through the bot (p95, bot time)',
        value: Math.round(p95),
        unit: 'ms',
        target: `<= ${TARGET_MS} ms`,
        pass: p95 <= TARGET_MS,
        comparison:
          `p50 ${Math.round(p50)} ms; the same abort as a direct adapter call (guard decision + instant rollback ` +
          `followed to "succeeded"): p50 ${percentile(paired.b, 50).toFixed(1)} ms, p95 ` +
          `${percentile(paired.b, 95).toFixed(1)} ms; paired ratio ${paired.ratio.toFixed(1)}x`,
        method:
          `${RUNS} aborted releases (a fresh one each, MUST = sign-in failing on the canary two rounds in a row) ` +
          'through the real bot (HTTP, PostgreSQL store, runner at its production tick, outbox) against the ' +
          "Slack and Vercel stand-ins: from the round's last probe answer read by the bot to the stand-in serving " +
          "all production traffic from the base (release ABORTED, alias job done), minus the adapter's designed " +
          "waits between alias-job polls in that span; includes the incident's writes and the runner's pickup",
      },
    ];
  },
};
