/**
 * The world of the crash-restart tests: the bot as a real child process
 * (`node bin/rollback-bot.js start`) on its own database, the Slack and Vercel
 * stand-ins, a git origin whose head is the bad commit, and the moves the tests
 * make on it: break production, ask for a rollback, kill the process exactly
 * at a boundary and start another. One world per test file; inside a file the
 * process started by one test is the one the next test kills.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type SlackStandin, startSlackStandin } from '../../../src/standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../../../src/standins/vercel/server';
import type { StandinDeployment } from '../../../src/standins/vercel/state';
import { createSandbox, type Sandbox } from '../../git/support/git-fixture';
import { BOT_TOKEN } from '../../support/bot';
import { type BotProcess, botProcessEnv, spawnBot } from '../../support/bot-process';
import { testDatabase } from '../../support/database';
import { SERVICE, SMOKE } from '../../support/incident-world';
import { exampleServiceRaw, servicesYaml } from '../../support/services';
import { waitFor } from '../../support/wait';

/** Vercel's alias job moves one state per this many project reads: it only ends when a test finishes it. */
export const SLOW_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

interface StepRow {
  id: string;
  kind: string;
  state: string;
  attempts: number;
  claimed_by: string | null;
  updated_at: Date;
}

export interface CrashWorld {
  readonly databaseUrl: string;
  readonly slack: SlackStandin;
  readonly vercel: VercelStandin;
  /** The deployment the last breakProduction made good: the rollback's target. */
  readonly good: StandinDeployment;
  /** The process the next request, kill or stop goes to. */
  bot: BotProcess | undefined;
  rows<T>(text: string, values?: unknown[]): Promise<T[]>;
  steps(incidentId: string): Promise<StepRow[]>;
  lastTimelineId(): Promise<number>;
  /** Successful "ROLLBACK COMPLETE" posts to Slack so far. */
  completePosts(): number;
  /** Rollback requests Vercel got so far. */
  rollbackPosts(): number;
  finishAliasJob(): void;
  breakProduction(n: number): void;
  requestRollback(reason: string): Promise<string>;
  killWhen(what: string, atBoundary: () => Promise<boolean>): Promise<void>;
  crashAndRestart(): Promise<{ pid: number; restartedAfter: number }>;
  /** Another `rollback-bot start` process on the same database, stopped after the file's tests. */
  spawn(): Promise<BotProcess>;
}

/** A crash world for one describe block: started before its tests, every process stopped and all dropped after. */
export function useCrashWorld(label: string): CrashWorld {
  const database = testDatabase(label);
  const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-crash-'));
  /** Every process a test started, stopped at the end whatever happened. */
  const spawned: BotProcess[] = [];
  let slack: SlackStandin | undefined;
  let vercel: VercelStandin | undefined;
  let git: Sandbox | undefined;
  let sql: Client | undefined;
  let env: Record<string, string> = {};
  let good: StandinDeployment | undefined;
  let goodCommit = '';

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the crash world starts in beforeAll');
    return value;
  };

  const world: CrashWorld = {
    databaseUrl: database.url,
    get slack() {
      return started(slack);
    },
    get vercel() {
      return started(vercel);
    },
    get good() {
      return started(good);
    },
    bot: undefined,
    rows: async <T>(text: string, values: unknown[] = []): Promise<T[]> =>
      (await started(sql).query(text, values)).rows as T[],
    steps: (incidentId) =>
      world.rows<StepRow>(
        'SELECT id, kind, state, attempts, claimed_by, updated_at FROM steps WHERE incident_id = $1 ORDER BY position',
        [incidentId],
      ),
    lastTimelineId: async () =>
      Number((await world.rows<{ id: string | null }>('SELECT max(id) AS id FROM timeline'))[0]?.id ?? 0),
    completePosts: () =>
      world.slack
        .callsOf('chat.postMessage')
        .filter((c) => c.answer.ok && String(c.params.text).includes('ROLLBACK COMPLETE')).length,
    rollbackPosts: () => world.vercel.state.count('POST', '/rollback/'),
    finishAliasJob: () => {
      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
    },

    /**
     * A good deployment that served production, then a bad one serving it now. Each test rolls back
     * to its own good deployment: a request to the same target within Vercel's clock-skew window
     * would be taken for the previous test's (see the report on move-production.ts).
     */
    breakProduction: (n) => {
      good = world.vercel.state.addDeployment({ version: `1.9.${n}`, commit: goodCommit, live: true });
      world.vercel.state.addDeployment({ version: `2.0.${n}`, commit: started(git).originHead(), live: true });
    },

    requestRollback: async (reason) => {
      if (!world.bot) throw new Error('no bot process');
      const answer = await world.bot.sender.slashCommand({
        text: `${SERVICE} to ${world.good.id} ${reason}`,
        userId: 'U0DEVOPS1',
      });
      expect(answer.status).toBe(200);
      const id = /started as (INC-\S+)\./.exec((answer.json() as { text: string }).text)?.[1];
      if (!id) throw new Error(`no incident started: ${answer.text}`);
      return id;
    },

    /**
     * SIGKILL exactly at a boundary: freeze the process, let the statements it already sent
     * finish, and kill only if the boundary still holds; otherwise let it go on and look again.
     */
    killWhen: async (what, atBoundary) => {
      for (;;) {
        await waitFor(what, atBoundary);
        world.bot?.freeze();
        await waitFor("the frozen bot's statements to end", async () => {
          const [busy] = await world.rows<{ n: string }>(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() ' +
              "AND pid <> pg_backend_pid() AND state <> 'idle' AND wait_event_type IS DISTINCT " +
              "FROM 'Lock'",
          );
          return Number(busy?.n) === 0;
        });
        if (await atBoundary()) break;
        world.bot?.resume();
      }
      await world.bot?.kill();
    },

    crashAndRestart: async () => {
      await world.bot?.kill();
      world.bot = undefined;
      const restartedAfter = await world.lastTimelineId();
      world.bot = await world.spawn();
      return { pid: world.bot.pid, restartedAfter };
    },

    spawn: () => spawnBot(env, world.slack, spawned),
  };

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
    world.bot = await world.spawn();
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

  return world;
}
