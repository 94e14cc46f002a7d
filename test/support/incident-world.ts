/**
 * One world for end-to-end incident tests: the real bot (HTTP endpoint,
 * store, runner, outbox) against the Slack and Vercel stand-ins, a real git
 * origin, real PostgreSQL, and a clock that runs in real time from a chosen
 * start (so working hours and expiry are deterministic).
 */
import { join } from 'node:path';
import type { Clock } from '../../src/rollback/clock';
import { GitCodeRollback, type GitCodeRollbackOptions } from '../../src/git/git-code-rollback';
import { silentLogger } from '../../src/logger';
import { PrismaSchemaAdapter } from '../../src/schema/prisma-schema-adapter';
import { type RecordedCall, type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { startVercelStandin, type VercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { VercelApplication } from '../../src/vercel/vercel-application';
import { createRollingReleases } from '../../src/vercel/rolling-release';
import { createSandbox, type Sandbox } from '../git/support/git-fixture';
import { BOT_TOKEN, type TestBot, startTestBot } from './bot';
import { type TestDatabase, testDatabase } from './database';
import { exampleServiceRaw, servicesYaml } from './services';
import { parseServicesFile } from '../../src/config/load-config';
import { EdgeConfigFlags } from '../../src/flags/edge-config-flags';
import { ProviderFlags } from '../../src/flags/provider-flags';
import { VercelFlags } from '../../src/flags/vercel-flags';

export const SERVICE = 'dr-amal-clinical-os';
export const SMOKE = { email: 'test@example.com', password: 'smoke-secret-123' };
/** The example service's feature flag (rollback.config.example.yaml). */
export const FLAG = { name: 'ai-notes', edgeConfigId: 'ecfg_dramalflags01', key: 'ai-notes-enabled' } as const;
const FLAG_READ_TOKEN = 'ecfg-read-token-test';

/** A Slack call's text and blocks, where a test looks for words the bot posted. */
export const callText = (c: RecordedCall): string => `${String(c.params.text ?? '')}\n${String(c.params.blocks ?? '')}`;

/** Real time, started at a chosen instant, movable forward. */
export class TestClock implements Clock {
  private offset: number;
  constructor(start: string) {
    this.offset = new Date(start).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface World {
  bot: TestBot;
  slack: SlackStandin;
  vercel: VercelStandin;
  git: Sandbox;
  clock: TestClock;
  history: { good: StandinDeployment; bad: StandinDeployment; goodCommit: string; badCommit: string };
  /** Posts of chat.postMessage/update whose text contains the words, in order. */
  postsWith(words: string): { method: string; text: string; thread?: string }[];
  waitForPost(words: string, timeoutMs?: number): Promise<{ text: string; ts?: string }>;
  startReplica(): Promise<TestBot>;
  stop(): Promise<void>;
}

interface WorldOptions {
  databaseUrl: string;
  /** ISO instant the clock starts at; default a Tuesday 10:00 in New York (working hours). */
  at?: string;
  /** Overrides of the service; a function when they need the stand-in app's URL. */
  service?: Record<string, unknown> | ((urls: { appUrl: string }) => Record<string, unknown>);
  env?: Record<string, string>;
  /** Extra files for the app repository's history (e.g. prisma migrations). */
  goodFiles?: Record<string, string>;
  badFiles?: Record<string, string>;
  /** How the Vercel adapter waits between polls (benchmarks count the designed waits). */
  vercelSleep?: (ms: number) => Promise<void>;
  /** Slack's per-channel pace in the stand-in (default 1 post per second, as Slack asks). */
  postsPerChannelPerSecond?: number;
  /** The bot's Slack client timeout (default 8 s): tests of "slower than the timeout" shorten it. */
  slackCallTimeoutMs?: number;
  /** More for the git adapter (a GitHub host for revert pull requests, its poll interval). */
  code?: Pick<GitCodeRollbackOptions, 'pullRequests' | 'pullRequestPollMs'>;
  /** The runner's fallback tick (default 200 ms; benchmarks pass the production default). */
  runnerIntervalMs?: number;
  /** A running step's lease (default 3 s, so a stopped replica's step is reconciled soon). */
  stepLeaseMs?: number;
  /**
   * Deployment URLs answer nothing the bot can read (Vercel's deployment protection): versions are known only from
   * production.
   */
  deploymentUrlsProtected?: boolean;
  /** The feature-flag adapter's environment on top of the stand-in's tokens (e.g. a token left unset). */
  flagEnv?: Record<string, string | undefined>;
  /** More services beside SERVICE, as raw YAML objects (e.g. another name on the same git origin). */
  extraServices?: (world: { gitOrigin: string; appUrl: string }) => Record<string, unknown>[];
}

interface OutsideOptions {
  /** Slack's per-channel pace in the stand-in (default 1 post per second, as Slack asks). */
  postsPerChannelPerSecond?: number;
  /** Channels beside #prod-alerts (C0PRODALRT). */
  channels?: Record<string, string>;
  goodFiles?: Record<string, string>;
  badFiles?: Record<string, string>;
}

interface Outside {
  slack: SlackStandin;
  vercel: VercelStandin;
  git: Sandbox;
  history: World['history'];
}

/**
 * The world outside the bot, shared by the incident and detection worlds: the
 * Slack stand-in with the team's users and groups, the Vercel stand-in, and a
 * git origin whose last two commits are live as 1.9.0 (good) and 2.0.0-beta.
 */
export async function startOutside(options: OutsideOptions = {}): Promise<Outside> {
  const slack = await startSlackStandin({
    token: BOT_TOKEN,
    users: {
      U0DEVOPS1: { name: 'devops' },
      U0CTO0001: { name: 'cto' },
      U0DBADMIN: { name: 'dba' },
      U0ONCALL1: { name: 'oncall' },
      U0NOBODY1: { name: 'someone' },
      U0BOTH001: { name: 'lead-and-cto' },
    },
    usergroups: { S0ONCALL1: ['U0ONCALL1'], S0CTOGRP1: ['U0CTO0001', 'U0BOTH001'] },
    channels: { C0PRODALRT: 'prod-alerts', ...options.channels },
    postsPerChannelPerSecond: options.postsPerChannelPerSecond ?? 1,
  });
  const vercel = await startVercelStandin({ teamId: 'team_dramal', projectName: SERVICE, smokeCredentials: SMOKE });
  // The example service's flag lives in this Edge Config (on), readable with FLAG_READ_TOKEN.
  vercel.edgeConfig.create(FLAG.edgeConfigId, { [FLAG.key]: true }, FLAG_READ_TOKEN);
  const git = createSandbox();
  const goodCommit = git.commit({ 'app.txt': 'v1.9.0\n', ...options.goodFiles }, 'feat: Complete Phase 2 frontend');
  git.push();
  const badCommit = git.commit({ 'app.txt': 'v2.0.0-beta\n', ...options.badFiles }, 'feat(ai): Add AI features');
  git.push();
  const good = vercel.state.addDeployment({ version: '1.9.0', commit: goodCommit, live: true });
  const bad = vercel.state.addDeployment({ version: '2.0.0-beta', commit: badCommit, live: true });
  vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
  return { slack, vercel, git, history: { good, bad, goodCommit, badCommit } };
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const clock = new TestClock(options.at ?? '2026-01-20T15:00:00Z');
  const { slack, vercel, git, history } = await startOutside(options);
  const { good, bad, goodCommit, badCommit } = history;

  const given = options.service;
  const overrides = typeof given === 'function' ? given({ appUrl: vercel.appUrl }) : given;
  const service = exampleServiceRaw({
    vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 10 },
    production: { url: vercel.appUrl, verifyDeadlineSeconds: 3 },
    roles: {
      devopsLead: ['U0DEVOPS1', 'U0BOTH001'],
      cto: ['U0CTO0001', 'U0BOTH001'],
      dba: ['U0DBADMIN'],
      onCall: ['S0ONCALL1'],
    },
    ...overrides,
    // The origin exists only now: other git settings (via, github...) come from options.service.
    git: {
      ...(overrides?.git as Record<string, unknown> | undefined),
      ...{ remote: git.origin, branch: 'main', tokenEnv: undefined },
    },
  });
  const env = { SMOKE_TEST_PASSWORD: SMOKE.password, ...options.env };
  const services = [service, ...(options.extraServices?.({ gitOrigin: git.origin, appUrl: vercel.appUrl }) ?? [])];
  const parsed = parseServicesFile(servicesYaml(services), 'world');
  const flagEnv = { VERCEL_TOKEN: vercel.token, EDGE_CONFIG_READ_TOKEN: FLAG_READ_TOKEN, ...options.flagEnv };
  const flagAccess = { env: flagEnv, apiUrl: vercel.url, readIntervalMs: 100 };
  let replica = 0;
  const start = async (): Promise<TestBot> => {
    replica += 1;
    const adapters = {
      application: new VercelApplication({
        token: vercel.token,
        apiUrl: vercel.url,
        logger: silentLogger,
        deploymentOrigin: options.deploymentUrlsProtected ? () => 'http://127.0.0.1:9' : vercel.deploymentOrigin,
        pollIntervalMs: 25,
        verifyRetryIntervalMs: 250,
        env,
        sleep: options.vercelSleep,
      }),
      code: new GitCodeRollback({
        services: parsed,
        workspaceDir: join(git.workspace, `replica-${replica}`),
        logger: silentLogger,
        env: git.env,
        ...options.code,
      }),
      // Shadow databases go on the run's server when there is one, instead of a second embedded server.
      schema: new PrismaSchemaAdapter({
        logger: silentLogger,
        clock,
        shadow: process.env.TEST_DATABASE_URL ? { serverUrl: process.env.TEST_DATABASE_URL } : undefined,
      }),
      clock,
      flags: new ProviderFlags({
        edgeConfig: new EdgeConfigFlags({ ...flagAccess, readUrl: vercel.edgeConfigReadUrl }),
        vercelFlags: new VercelFlags(flagAccess),
      }),
      rollingReleases: createRollingReleases({
        token: vercel.token,
        apiUrl: vercel.url,
        logger: silentLogger,
        pollIntervalMs: 25,
      }),
      deploymentOrigin: vercel.deploymentOrigin,
    };
    return startTestBot({
      databaseUrl: options.databaseUrl,
      slack,
      services,
      env: { ...env, DR_AMAL_GIT_TOKEN: '' },
      // The world's clock is not real time, so real-time cron ticks would evaluate slots out of its order: tests tick
      // jobs by hand.
      wiring: {
        adapters,
        options: {
          runnerIntervalMs: options.runnerIntervalMs ?? 200,
          outboxPollMs: 100,
          noSchedules: true,
          slackCallTimeoutMs: options.slackCallTimeoutMs,
          stepLeaseMs: options.stepLeaseMs ?? 3000,
        },
      },
    });
  };
  const bot = await start();
  const texts = () =>
    slack.calls
      .filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.answer.ok)
      .map((c) => ({
        method: c.method,
        text: callText(c),
        thread: c.params.thread_ts as string | undefined,
        ts: c.answer.ts as string | undefined,
      }));
  return {
    bot,
    slack,
    vercel,
    git,
    clock,
    history: { good, bad, goodCommit, badCommit },
    postsWith: (words) => texts().filter((t) => t.text.includes(words)),
    waitForPost: async (words, timeoutMs = 15_000) => {
      const call = await slack.waitForCall(
        (c) =>
          (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.answer.ok && callText(c).includes(words),
        timeoutMs,
      );
      return { text: String(call.params.text ?? ''), ts: call.answer.ts as string | undefined };
    },
    startReplica: start,
    stop: async () => {
      await bot.stop();
      await slack.stop();
      await vercel.stop();
      git.cleanup();
    },
  };
}

/**
 * A world for one describe block: a fresh database and startWorld before its
 * tests, everything stopped and dropped after. Read `.world` and `.database`
 * inside the tests.
 */
export function useWorld(
  label: string,
  options: Omit<WorldOptions, 'databaseUrl'> = {},
): { readonly world: World; readonly database: TestDatabase } {
  const database = testDatabase(label);
  let world: World | undefined;
  beforeAll(async () => {
    await database.create();
    world = await startWorld({ ...options, databaseUrl: database.url });
  });
  afterAll(async () => {
    await world?.stop();
    await database.drop();
  });
  return {
    get world(): World {
      if (!world) throw new Error('the world starts in beforeAll');
      return world;
    },
    database,
  };
}
