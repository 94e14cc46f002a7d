/**
 * Issues 6 and 8: the bot is a real child process (`node bin/rollback-bot.js
 * start`), killed with SIGKILL at a step boundary and started again on the
 * same database. Each test proves the incident then ends once: one rollback
 * request to Vercel, every step succeeded with the attempts the boundary
 * explains, one "ROLLBACK COMPLETE", and a timeline whose moves chain without
 * a gap. The process started by one test is the one the next test kills.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SERVICE_LOCK_SPACE } from '../../src/store/queries/incidents';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { createSandbox, type Sandbox } from '../git/support/git-fixture';
import { BOT_TOKEN } from '../support/bot';
import { type BotProcess, botProcessEnv, spawnBot } from '../support/bot-process';
import { waitFor } from '../support/wait';
import { testDatabase } from '../support/database';
import { SERVICE, SMOKE } from '../support/incident-world';
import { exampleServiceRaw, servicesYaml } from '../support/services';

jest.setTimeout(90_000);

/** Vercel's alias job moves one state per this many project reads: it only ends when a test finishes it. */
const SLOW_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

/** Every process a test started, stopped at the end whatever happened. */
const spawned: BotProcess[] = [];

interface StepRow {
  id: string;
  kind: string;
  state: string;
  attempts: number;
  claimed_by: string | null;
  updated_at: Date;
}
interface TimelineRow {
  id: string;
  kind: string;
  actor: string;
  message: string;
  data: { stepId?: string; from?: string; to?: string };
}

describe('the bot process killed at a step boundary and started again', () => {
  const database = testDatabase('e2e_crash');
  const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-crash-'));
  let slack: SlackStandin;
  let vercel: VercelStandin;
  let git: Sandbox;
  let sql: Client;
  let env: Record<string, string>;
  let good: StandinDeployment;
  let goodCommit: string;
  let bot: BotProcess | undefined;

  const rows = async <T>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await sql.query(text, values)).rows as T[];
  const steps = (incidentId: string) =>
    rows<StepRow>(
      'SELECT id, kind, state, attempts, claimed_by, updated_at FROM steps WHERE incident_id = $1 ORDER BY position',
      [incidentId],
    );
  const lastTimelineId = async () =>
    Number((await rows<{ id: string | null }>('SELECT max(id) AS id FROM timeline'))[0]?.id ?? 0);
  const completePosts = () =>
    slack.callsOf('chat.postMessage').filter((c) => c.answer.ok && String(c.params.text).includes('ROLLBACK COMPLETE'))
      .length;
  const rollbackPosts = () => vercel.state.count('POST', '/rollback/');
  const finishAliasJob = (): void => {
    while (vercel.state.jobRunning()) vercel.state.tickJob();
  };

  /**
   * A good deployment that served production, then a bad one serving it now. Each test rolls back
   * to its own good deployment: a request to the same target within Vercel's clock-skew window
   * would be taken for the previous test's (see the report on move-production.ts).
   */
  const breakProduction = (n: number): void => {
    good = vercel.state.addDeployment({ version: `1.9.${n}`, commit: goodCommit, live: true });
    vercel.state.addDeployment({ version: `2.0.${n}`, commit: git.originHead(), live: true });
  };

  async function requestRollback(reason: string): Promise<string> {
    if (!bot) throw new Error('no bot process');
    const answer = await bot.sender.slashCommand({ text: `${SERVICE} to ${good.id} ${reason}`, userId: 'U0DEVOPS1' });
    expect(answer.status).toBe(200);
    const id = /started as (INC-\S+)\./.exec((answer.json() as { text: string }).text)?.[1];
    if (!id) throw new Error(`no incident started: ${answer.text}`);
    return id;
  }

  /**
   * SIGKILL exactly at a boundary: freeze the process, let the statements it already sent
   * finish, and kill only if the boundary still holds; otherwise let it go on and look again.
   */
  async function killWhen(what: string, atBoundary: () => Promise<boolean>): Promise<void> {
    for (;;) {
      await waitFor(what, atBoundary);
      bot?.freeze();
      await waitFor("the frozen bot's statements to end", async () => {
        const [busy] = await rows<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() ' +
            "AND pid <> pg_backend_pid() AND state <> 'idle' AND wait_event_type IS DISTINCT " +
            "FROM 'Lock'",
        );
        return Number(busy?.n) === 0;
      });
      if (await atBoundary()) break;
      bot?.resume();
    }
    await bot?.kill();
  }

  async function crashAndRestart(): Promise<{ pid: number; restartedAfter: number }> {
    await bot?.kill();
    bot = undefined;
    const restartedAfter = await lastTimelineId();
    bot = await spawnBot(env, slack, spawned);
    return { pid: bot.pid, restartedAfter };
  }

  /**
   * The incident ended once: resolved, one request to Vercel, one COMPLETE, each step's moves
   * chained from pending to succeeded with one "running" per attempt, and every step ended
   * exactly once after the restart, by the new process.
   */
  async function expectFinishedOnce(
    incidentId: string,
    expected: {
      before: { posts: number; complete: number };
      restart: { pid: number; restartedAfter: number };
      paths: Record<string, string[]>;
      reconciled: number;
    },
  ): Promise<TimelineRow[]> {
    await waitFor(
      'the incident to resolve',
      async () =>
        (await rows<{ state: string }>('SELECT state FROM incidents WHERE id = $1', [incidentId]))[0]?.state ===
        'resolved',
    );
    // Every message of the incident sent, the outcome included, before counting what Slack got.
    await waitFor("the incident's messages to reach Slack", async () => {
      const [outbox] = await rows<{ pending: string; outcome: string }>(
        `SELECT count(*) FILTER (WHERE version > sent_version AND version > failed_version) AS pending,
                count(*) FILTER (WHERE key = $2 AND sent_version > 0) AS outcome
         FROM slack_outbox WHERE key LIKE $1`,
        [`incident:${incidentId}:%`, `incident:${incidentId}:outcome`],
      );
      return Number(outbox?.pending) === 0 && Number(outbox?.outcome) === 1;
    });
    const [root] = await rows<{ ts: string }>('SELECT ts FROM slack_outbox WHERE key = $1', [
      `incident:${incidentId}:root`,
    ]);
    const inThread = slack.callsOf('chat.postMessage').filter((c) => c.answer.ok && c.params.thread_ts === root?.ts);
    expect(inThread.filter((c) => String(c.params.text).includes('ROLLBACK COMPLETE'))).toHaveLength(1);
    expect(rollbackPosts() - expected.before.posts).toBe(1);
    expect(completePosts() - expected.before.complete).toBe(1);
    expect(vercel.state.production()?.id).toBe(good.id);

    const timeline = await rows<TimelineRow>(
      'SELECT id, kind, actor, message, data FROM timeline WHERE incident_id = $1 ORDER BY id',
      [incidentId],
    );
    const worker = `replica-${expected.restart.pid}-`;
    const stored = await steps(incidentId);
    expect(stored.map((s) => s.kind)).toEqual(Object.keys(expected.paths));
    for (const step of stored) {
      const moves = timeline.filter((t) => t.kind === 'step' && t.data.stepId === step.id);
      const path = [moves[0]?.data.from, ...moves.map((m) => m.data.to)];
      expect({ kind: step.kind, path }).toEqual({ kind: step.kind, path: expected.paths[step.kind] });
      moves.forEach((move, i) => i > 0 && expect(move.data.from).toBe(moves[i - 1]?.data.to));
      expect({ kind: step.kind, state: step.state, attempts: step.attempts }).toEqual({
        kind: step.kind,
        state: 'succeeded',
        attempts: moves.filter((m) => m.data.to === 'running').length,
      });
      const afterRestart = moves.filter((m) => Number(m.id) > expected.restart.restartedAfter);
      const doneBefore = moves.some(
        (m) => Number(m.id) <= expected.restart.restartedAfter && m.data.to === 'succeeded',
      );
      expect(afterRestart.filter((m) => m.data.to === 'succeeded').map((m) => m.data.from)).toEqual(
        doneBefore ? [] : ['running'],
      );
      expect(afterRestart.filter((m) => m.data.to === 'running').length).toBeLessThanOrEqual(1);
      for (const move of afterRestart) expect(move.actor.startsWith(worker)).toBe(true);
    }
    const incidentMoves = timeline.filter((t) => t.kind === 'incident_state');
    expect([incidentMoves[0]?.data.from, ...incidentMoves.map((m) => m.data.to)]).toEqual([
      'open',
      'rolling_back',
      'verifying',
      'resolved',
    ]);
    const reconciled = timeline.filter((t) => t.kind === 'reconcile');
    expect(reconciled).toHaveLength(expected.reconciled);
    for (const entry of reconciled) expect(entry.actor.startsWith(worker)).toBe(true);
    return timeline;
  }

  /** The process was killed while no step ran: after the restart every step runs once, nothing is reconciled. */
  async function restartAfterHeldBoundary(
    lock: { release(): Promise<void> },
    id: string,
    before: { posts: number; complete: number },
  ): Promise<void> {
    await lock.release();
    const restart = await crashAndRestart();
    await expectFinishedOnce(id, {
      before,
      restart,
      reconciled: 0,
      paths: { application: ['pending', 'running', 'succeeded'], verification: ['pending', 'running', 'succeeded'] },
    });
  }

  /** Holds the service's advisory lock, as another busy replica would, on its own connection. */
  async function holdServiceLock(): Promise<{ acquired: Promise<void>; release(): Promise<void> }> {
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    const acquired = holder
      .query('SELECT pg_advisory_lock($1::int4, hashtext($2))', [SERVICE_LOCK_SPACE, SERVICE])
      .then(() => undefined);
    return {
      acquired,
      release: async () => {
        await acquired;
        await holder.query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [SERVICE_LOCK_SPACE, SERVICE]);
        await holder.end();
      },
    };
  }

  beforeAll(async () => {
    await database.create();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    slack = await startSlackStandin({
      token: BOT_TOKEN,
      users: { U0DEVOPS1: { name: 'devops' }, U0CTO0001: { name: 'cto' } },
      channels: { C0PRODALRT: 'prod-alerts' },
      postsPerChannelPerSecond: 1,
    });
    vercel = await startVercelStandin({ teamId: 'team_dramal', projectName: SERVICE, smokeCredentials: SMOKE });
    git = createSandbox();
    goodCommit = git.commit({ 'app.txt': 'v1.9.0\n' }, 'feat: Complete Phase 2 frontend');
    git.push();
    git.commit({ 'app.txt': 'v2.0.0-beta\n' }, 'feat(ai): Add AI features');
    git.push();
    const service = exampleServiceRaw({
      vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 60 },
      production: { url: vercel.appUrl, verifyDeadlineSeconds: 5 },
      git: { remote: git.origin, branch: 'main', tokenEnv: undefined },
      roles: { devopsLead: ['U0DEVOPS1'], cto: ['U0CTO0001'], onCall: [] },
    });
    const configPath = join(dataDir, 'rollback.config.yaml');
    writeFileSync(configPath, servicesYaml([service]));
    env = botProcessEnv({
      git,
      slack,
      vercel,
      databaseUrl: database.url,
      dir: dataDir,
      configPath: configPath,
      smokePassword: SMOKE.password,
    });
    bot = await spawnBot(env, slack, spawned);
  });

  afterAll(async () => {
    for (const process of spawned) await process.stop();
    await sql?.end();
    await slack?.stop();
    await vercel?.stop();
    git?.cleanup();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'killed while Vercel moves production: the new process reconciles, then waits on ' +
      'the same alias job instead of asking again',
    async () => {
      breakProduction(0);
      vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('sign-in returns 500');
      await killWhen(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );

      const restart = await crashAndRestart();
      await waitFor('the application step to run again', async () => {
        const [app] = await steps(id);
        return app?.state === 'running' && app.attempts === 2;
      });
      finishAliasJob();

      const timeline = await expectFinishedOnce(id, {
        before,
        restart,
        reconciled: 1,
        paths: {
          application: ['pending', 'running', 'pending', 'running', 'succeeded'],
          verification: ['pending', 'running', 'succeeded'],
        },
      });
      expect(timeline.find((t) => t.kind === 'reconcile')?.message).toMatch(
        /Step 1 \(application\) found running after a restart: Vercel's last alias request says unknown/,
      );
    },
  );

  it(
    'killed while Vercel moves production, the job ending while the bot is down: ' +
      'reconciled from lastAliasRequest, not run again',
    async () => {
      breakProduction(1);
      vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('checkout returns 500');
      await killWhen(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      finishAliasJob();

      const restart = await crashAndRestart();
      const timeline = await expectFinishedOnce(id, {
        before,
        restart,
        reconciled: 1,
        paths: { application: ['pending', 'running', 'succeeded'], verification: ['pending', 'running', 'succeeded'] },
      });
      expect(timeline.find((t) => t.kind === 'reconcile')?.message).toMatch(
        /Vercel's last alias request says succeeded/,
      );
    },
  );

  it(
    'killed between opening the incident and its first step: the new process starts ' + 'the plan from the top',
    async () => {
      breakProduction(2);
      vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const lock = await holdServiceLock();
      await lock.acquired;
      try {
        const id = await requestRollback('dashboard blank');
        // The runner claimed the first step, found the service locked and gave the claim back.
        const [opened] = await rows<{ at: Date }>(
          "SELECT at FROM timeline WHERE incident_id = $1 AND kind = 'opened'",
          [id],
        );
        await killWhen('the first claim to be given back', async () => {
          const [app] = await steps(id);
          return (
            app?.state === 'pending' && app.claimed_by === null && opened !== undefined && app.updated_at > opened.at
          );
        });
        expect(rollbackPosts()).toBe(before.posts);
        await restartAfterHeldBoundary(lock, id, before);
      } finally {
        await lock.release().catch(() => undefined);
      }
    },
  );

  it(
    'killed after the application step succeeded, before verification: production is ' +
      'not moved again and verification runs once',
    async () => {
      breakProduction(3);
      vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('5xx above 25%');
      await waitFor(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      const verificationAtOpen = (await steps(id))[1]?.updated_at.getTime();
      // Queued behind the bot's lock: granted the moment the application step ends, before verification can start.
      const lock = await holdServiceLock();
      try {
        finishAliasJob();
        await lock.acquired;
        await killWhen('verification to be claimed and given back', async () => {
          const [app, verification] = await steps(id);
          return (
            app?.state === 'succeeded' &&
            verification?.state === 'pending' &&
            verification.claimed_by === null &&
            verification.updated_at.getTime() !== verificationAtOpen
          );
        });
        await restartAfterHeldBoundary(lock, id, before);
      } finally {
        await lock.release().catch(() => undefined);
      }
    },
  );
  it('one of two replicas killed mid-step: the surviving replica reconciles the step without a restart', async () => {
    breakProduction(4);
    vercel.state.nextJob = SLOW_JOB;
    const first = bot as BotProcess;
    const second = await spawnBot(env, slack, spawned);
    const before = { posts: rollbackPosts(), complete: completePosts() };
    const id = await requestRollback('login loop');
    let runner: BotProcess | undefined;
    await waitFor('a replica to run the application step and ask Vercel', async () => {
      const [app] = await steps(id);
      runner = [first, second].find((p) => app?.claimed_by?.startsWith(`replica-${p.pid}-`));
      return app?.state === 'running' && runner !== undefined && rollbackPosts() === before.posts + 1;
    });
    const survivor = runner === first ? second : first;
    bot = runner;
    await killWhen('the step to still be running', async () => (await steps(id))[0]?.state === 'running');
    bot = survivor;
    const restart = { pid: survivor.pid, restartedAfter: await lastTimelineId() };
    await waitFor(
      'the survivor to run the application step again',
      async () => (await steps(id))[0]?.attempts === 2,
      15_000,
    );
    finishAliasJob();
    await expectFinishedOnce(id, {
      before,
      restart,
      reconciled: 1,
      paths: {
        application: ['pending', 'running', 'pending', 'running', 'succeeded'],
        verification: ['pending', 'running', 'succeeded'],
      },
    });
  });

  // Issue 16 item 3: a stop while a step waits on the outside world parks it instead of waiting it out.
  it(
    'SIGTERM while the step waits on Vercel: the process exits within seconds, the ' +
      'step is parked, and the next process finishes it at once',
    async () => {
      breakProduction(5);
      vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts() };
      const id = await requestRollback('sigterm while waiting');
      await waitFor(
        'the application step to ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      const started = Date.now();
      await (bot as BotProcess).stop();
      const tookMs = Date.now() - started;
      expect(tookMs).toBeLessThan(8_000);
      expect((await steps(id))[0]?.state).toBe('running');
      expect(await rows("SELECT 1 FROM timeline WHERE incident_id = $1 AND kind = 'step_parked'", [id])).toHaveLength(
        1,
      );
      finishAliasJob();
      bot = await spawnBot(env, slack, spawned);
      await waitFor(
        'the incident to resolve',
        async () =>
          (await rows<{ state: string }>('SELECT state FROM incidents WHERE id = $1', [id]))[0]?.state === 'resolved',
        30_000,
      );
      expect(rollbackPosts()).toBe(before.posts + 1);
    },
  );
});
