/**
 * Issue 8, "the bot process killed at every step boundary and restarted".
 * The bot runs as a real child process (`rollback-bot start`). A reference
 * rollback lists every boundary of an application rollback: each committed
 * transaction that writes the incident's durable record (incident, steps,
 * timeline) up to the outcome stored for its thread. Then, for every boundary
 * in that list, a new rollback (of its own service, channel and Vercel target)
 * is held exactly there (see support/boundary-gate.ts), the process is killed
 * with SIGKILL, and a new process is started on the same database. Each
 * incident must then end once: resolved, production moved by exactly one
 * request to Vercel, every step succeeded exactly once, a timeline whose moves
 * chain without a gap from the first state to the stored one, and exactly one
 * ROLLBACK COMPLETE in its thread.
 *
 * Why it runs long (about 50 s, 4 to 5 s a boundary): every boundary costs a
 * real process start and the rest of a rollback, which is the point of the
 * test. The boundary inside the Vercel call (killed while Vercel moves
 * production) is in test/e2e/crash-restart-alias-job.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import { createSandbox, type Sandbox } from '../git/support/git-fixture';
import { BOT_TOKEN } from '../support/bot';
import { type BotProcess, botProcessEnv, spawnBot } from '../support/bot-process';
import { waitFor } from '../support/wait';
import { testDatabase } from '../support/database';
import { SERVICE, SMOKE } from '../support/incident-world';
import { exampleServiceRaw, servicesYaml } from '../support/services';
import { type BoundaryGate, installBoundaryGate } from './support/boundary-gate';
import {
  expectTimelineWithoutGaps,
  incidentState,
  mentions,
  threadOf,
  waitForIncident,
  waitForThreadDelivered,
} from './support/incident-checks';

// Each boundary now also waits out the killed process's step lease (STEP_LEASE_SECONDS in bot-process.ts).
jest.setTimeout(420_000);

const serviceName = (n: number): string => `bd-${String(n).padStart(2, '0')}`;
const channelOf = (n: number): string => `C0BD${String(n).padStart(2, '0')}`;

interface Run {
  n: number;
  service: string;
  incidentId: string;
  target: string;
  boundary: string;
}

describe('the bot process killed at every boundary of an application rollback', () => {
  const database = testDatabase('faults_every_boundary');
  const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-boundaries-'));
  const spawned: BotProcess[] = [];
  let slack: SlackStandin;
  let vercel: VercelStandin;
  let git: Sandbox;
  let gate: BoundaryGate;
  let sql: Client;
  let env: Record<string, string>;
  let bot: BotProcess | undefined;
  /** The test's own database sessions, which must survive when the dead bot's are ended. */
  let ownPids: number[] = [];

  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await sql.query(text, values)).rows as T[];

  /** The services file: one service per run, each with its own alerts channel, all on the one Vercel project. */
  function writeServices(count: number): void {
    const services = Array.from({ length: count }, (_, n) => {
      slack.workspace.channels.set(channelOf(n), { name: `alerts-${n}` });
      return exampleServiceRaw({
        name: serviceName(n),
        displayName: `Boundary ${n}`,
        vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 60 },
        // One verification round: each boundary costs a process start already; the rounds are proven in verify.test and
        // verification-proof.
        production: { url: vercel.appUrl, verifyDeadlineSeconds: 5, verifyRounds: 1 },
        git: { remote: git.origin, branch: 'main', tokenEnv: undefined },
        slack: { alertsChannel: channelOf(n) },
        roles: { devopsLead: ['U0DEVOPS1'], cto: ['U0CTO0001'], onCall: [] },
        // Working hours all day, every day: the path of a rollback must not depend on when the test runs.
        workingHours: {
          timeZone: 'UTC',
          days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          start: '00:00',
          end: '00:00',
        },
      });
    });
    writeFileSync(env.ROLLBACK_CONFIG as string, servicesYaml(services));
  }

  /**
   * Breaks production (a good deployment, then a bad one live) and asks the running bot to roll back to the good one.
   */
  async function startRollback(n: number): Promise<{ incidentId: string; target: string }> {
    if (!bot) throw new Error('no bot process');
    const good = vercel.state.addDeployment({ version: `1.9.${n}`, commit: git.originHead(), live: true });
    vercel.state.addDeployment({ version: `2.0.${n}`, commit: git.originHead(), live: true });
    // Not awaited: at an early boundary the command's own request is what the gate holds.
    void bot.sender
      .slashCommand({ text: `${serviceName(n)} to ${good.id} boundary ${n}`, userId: 'U0DEVOPS1' })
      .catch(() => undefined);
    const incidentId = await waitFor(
      `the incident of ${serviceName(n)} to be stored`,
      async () => (await query<{ id: string }>('SELECT id FROM incidents WHERE service = $1', [serviceName(n)]))[0]?.id,
    );
    return { incidentId, target: good.id };
  }

  /**
   * SIGKILL while the bot waits at the gate, and while no Slack call is in flight (a call Slack
   * answered but the bot never recorded would be sent again: Slack has no idempotency key). The
   * process is frozen first, so nothing moves between looking and killing.
   */
  async function killAtGate(what: string): Promise<string> {
    const slackIdle = async (): Promise<boolean> =>
      (await query<{ n: string }>('SELECT count(*) AS n FROM slack_outbox_gates WHERE holder IS NOT NULL'))[0]?.n ===
      '0';
    const settled = async (): Promise<boolean> => {
      const [busy] = await query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() ' +
          "AND pid <> ALL($1::int[]) AND state <> 'idle' AND wait_event_type IS DISTINCT " +
          "FROM 'Lock'",
        [ownPids],
      );
      return busy?.n === '0';
    };
    for (;;) {
      await waitFor(`the bot to stand at ${what}`, async () => (await gate.holding()) && (await slackIdle()));
      bot?.freeze();
      const still = await waitFor('the frozen bot to settle', settled, 2000).then(
        async () => (await gate.holding()) && (await slackIdle()),
        () => false,
      );
      if (still) break;
      bot?.resume();
    }
    const [held] = await query<{ q: string }>(
      "SELECT regexp_replace(left(query, 60), '\\s+', ' ', 'g') AS q FROM " +
        "pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' " +
        'AND pid <> ALL($1::int[])',
      [ownPids],
    );
    await bot?.kill();
    bot = undefined;
    // A backend waiting on a lock does not notice its client is gone: end the dead process's
    // sessions, so the held transaction rolls back instead of committing once the lock frees.
    await query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ' +
        'current_database() AND pid <> ALL($1::int[])',
      [ownPids],
    );
    await waitFor(
      "the dead process's sessions to end",
      async () =>
        (
          await query<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL($1::int[])',
            [ownPids],
          )
        )[0]?.n === '0',
    );
    return held?.q ?? 'unknown';
  }

  beforeAll(async () => {
    await database.create();
    slack = await startSlackStandin({
      token: BOT_TOKEN,
      users: { U0DEVOPS1: { name: 'devops' }, U0CTO0001: { name: 'cto' } },
      postsPerChannelPerSecond: 1,
    });
    vercel = await startVercelStandin({ teamId: 'team_dramal', projectName: SERVICE, smokeCredentials: SMOKE });
    vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
    git = createSandbox();
    git.commit({ 'app.txt': 'v1\n' }, 'feat: the app');
    git.push();
    env = botProcessEnv({
      git,
      slack,
      vercel,
      databaseUrl: database.url,
      dir: dir,
      configPath: join(dir, 'rollback.config.yaml'),
      smokePassword: SMOKE.password,
    });
    writeServices(1);
    bot = await spawnBot(env, slack, spawned);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    gate = await installBoundaryGate(database.url);
    ownPids = [
      ...gate.ownPids,
      Number((await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
    ];
  });

  afterAll(async () => {
    for (const process of spawned) await process.stop();
    await gate?.close();
    await sql?.end();
    await slack?.stop();
    await vercel?.stop();
    git?.cleanup();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends every incident once, whichever boundary the process died at', async () => {
    // The reference rollback: nothing is held, every transaction is logged.
    await gate.arm(serviceName(0), 1_000_000);
    const reference = await startRollback(0);
    await waitForIncident(database.url, reference.incidentId, 'resolved');
    // The outcome is stored for the thread just after the incident resolves: wait for it, not for a moment.
    const log = await waitFor('the reference outcome stored for the thread', async () => {
      const writes = await gate.log(serviceName(0));
      return writes.some((w) => w.includes('outbox outcome')) ? writes : undefined;
    });
    const told = log.findIndex((writes) => writes.includes('outbox outcome'));
    expect(told).toBeGreaterThan(log.findIndex((writes) => writes.includes('incident resolved')));
    // Boundary k: k transactions done, the (k+1)th held. The last one held is the outcome stored for the thread.
    const boundaries = log
      .slice(0, told)
      .map((writes, k) => `after ${k + 1} (${writes.join(', ')}), before ${log[k + 1]?.join(', ')}`);
    expect(boundaries.length).toBeGreaterThanOrEqual(8);
    await gate.disarm(serviceName(0));

    const runs: Run[] = [];
    await bot?.stop();
    bot = undefined;
    writeServices(boundaries.length + 1);
    bot = await spawnBot(env, slack, spawned);
    for (const [k, boundary] of boundaries.entries()) {
      const n = k + 1;
      await gate.arm(serviceName(n), n);
      const started = await startRollback(n);
      const held = await killAtGate(boundary);
      // The request handler and the runner race for the first writes: name the boundary as it happened.
      const done = await gate.log(serviceName(n));
      const actual = `after ${done.length} (${done.at(-1)?.join(', ')}), before "${held}"`;
      expect({ boundary, committed: done.length }).toEqual({ boundary, committed: n });
      await gate.disarm(serviceName(n));
      // A step the dead process had claimed but not started stays its own until the claim lease
      // (60 s from the claim) runs out; move that clock forward instead of waiting a minute.
      await query(
        "UPDATE steps SET updated_at = updated_at - interval '61 seconds' WHERE " +
          "incident_id = $1 AND state = 'pending' AND claimed_by IS NOT NULL",
        [started.incidentId],
      );
      bot = await spawnBot(env, slack, spawned);
      runs.push({ n, service: serviceName(n), ...started, boundary: actual });
      await waitFor(`${started.incidentId} to resolve after being killed ${actual}`, async () => {
        const state = await incidentState(database.url, started.incidentId);
        if (state === 'failed' || state === 'cancelled')
          throw new Error(`${started.incidentId} ended ${state} after being killed ${actual}`);
        return state === 'resolved';
      });
    }

    for (const run of runs) {
      const where = `killed ${run.boundary}`;
      await waitForThreadDelivered(database.url, run.incidentId, 60_000);
      const { timeline, steps } = await expectTimelineWithoutGaps(database.url, run.incidentId);
      expect({ where, steps: steps.map((s) => [s.kind, s.state]) }).toEqual({
        where,
        steps: [
          ['application', 'succeeded'],
          ['verification', 'succeeded'],
        ],
      });
      for (const step of steps) {
        const ended = timeline.filter(
          (t) => t.kind === 'step' && t.data.stepId === step.id && t.data.to === 'succeeded',
        );
        expect({ where, step: step.kind, succeeded: ended.length }).toEqual({ where, step: step.kind, succeeded: 1 });
      }
      const incidentMoves = timeline.filter((t) => t.kind === 'incident_state').map((t) => t.data.to);
      expect({ where, moves: incidentMoves }).toEqual({ where, moves: ['rolling_back', 'verifying', 'resolved'] });
      expect({ where, requests: vercel.state.count('POST', `/rollback/${run.target}`) }).toEqual({
        where,
        requests: 1,
      });
      const thread = await threadOf(database.url, slack, run.incidentId);
      expect({ where, complete: thread.replies.filter(mentions('ROLLBACK COMPLETE')).length }).toEqual({
        where,
        complete: 1,
      });
    }
  });
});
