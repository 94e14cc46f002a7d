/**
 * A world for detection tests: the real bot (HTTP endpoint, webhooks, store,
 * runner, outbox) against the Slack and Vercel stand-ins, a real git origin
 * and real PostgreSQL, with several services sharing the alerts channel. The
 * cron jobs are left unscheduled: a test runs each evaluation interval itself
 * through engine.scheduler.runTick, moving the clock between them.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { parseServicesFile } from '../../src/config/load-config';
import { detectJobName } from '../../src/watch/jobs';
import { GitCodeRollback } from '../../src/git/git-code-rollback';
import { silentLogger } from '../../src/logger';
import { PrismaSchemaAdapter } from '../../src/schema/prisma-schema-adapter';
import type { TickOutcome } from '../../src/schedule/scheduler';
import type { RecordedCall, SlackStandin } from '../../src/standins/slack/server';
import type { VercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { VercelApplication } from '../../src/vercel/vercel-application';
import { type TestBot, startTestBot } from './bot';
import { testDatabase } from './database';
import { SERVICE, SMOKE, TestClock, callText, startOutside } from './incident-world';
import { exampleServiceRaw, servicesYaml } from './services';

export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123';
export const CHANNEL = 'C0PRODALRT';

export interface DetectionWorld {
  bot: TestBot;
  slack: SlackStandin;
  vercel: VercelStandin;
  clock: TestClock;
  db: Client;
  databaseUrl: string;
  history: { good: StandinDeployment; bad: StandinDeployment };
  /** One evaluation interval of a service: the clock moves by `advanceMs` first (default 30 s). */
  tick(service: string, advanceMs?: number): Promise<TickOutcome>;
  /**
   * Posts (chat.postMessage) made since the test started, optionally only those whose text or blocks contain the words.
   */
  posts(words?: string): RecordedCall[];
  waitForPost(words: string, timeoutMs?: number): Promise<RecordedCall>;
  stop(): Promise<void>;
}

interface DetectionWorldOptions {
  databaseUrl: string;
  /** Extra services (raw YAML objects merged over the example), beside dr-amal-clinical-os. */
  services?: Record<string, unknown>[];
  /** Overrides for dr-amal-clinical-os, e.g. { autopilot: true }. */
  main?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A service for trigger tests: its own name, the shared alerts channel, the world's roles. */
export function extraService(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, displayName: name, vercel: { projectId: name }, ...overrides };
}

async function startDetectionWorld(options: DetectionWorldOptions): Promise<DetectionWorld> {
  const clock = new TestClock('2026-01-20T15:00:00Z');
  const { slack, vercel, git, history } = await startOutside({
    postsPerChannelPerSecond: 50,
    channels: { C0GENERAL1: 'general' },
  });
  const { good, bad } = history;

  const roles = { devopsLead: ['U0DEVOPS1'], cto: ['U0CTO0001'], dba: ['U0DBADMIN'], onCall: ['S0ONCALL1'] };
  const base = {
    production: { url: vercel.appUrl, verifyDeadlineSeconds: 3 },
    git: { remote: git.origin, branch: 'main', tokenEnv: undefined },
    roles,
  };
  const main = exampleServiceRaw({
    ...base,
    vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 10 },
    ...options.main,
  });
  const extras = (options.services ?? []).map((s) => exampleServiceRaw({ ...base, ...s }));
  const services = [main, ...extras];
  const env = { SMOKE_TEST_PASSWORD: SMOKE.password, WEBHOOK_SECRET, ...options.env };
  const parsed = parseServicesFile(servicesYaml(services), 'detection world');
  const adapters = {
    application: new VercelApplication({
      token: vercel.token,
      apiUrl: vercel.url,
      logger: silentLogger,
      deploymentOrigin: vercel.deploymentOrigin,
      pollIntervalMs: 25,
      env,
    }),
    code: new GitCodeRollback({
      services: parsed,
      workspaceDir: join(git.workspace, 'replica-1'),
      logger: silentLogger,
      env: git.env,
    }),
    schema: new PrismaSchemaAdapter({ logger: silentLogger, clock }),
    clock,
  };
  const bot = await startTestBot({
    databaseUrl: options.databaseUrl,
    slack,
    services,
    env: { ...env, DR_AMAL_GIT_TOKEN: '' },
    wiring: { adapters, options: { runnerIntervalMs: 100, outboxPollMs: 50, noSchedules: true } },
  });
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  const startCalls = slack.calls.length;
  const posts = (words?: string): RecordedCall[] =>
    slack.calls
      .slice(startCalls)
      .filter(
        (c) => c.method === 'chat.postMessage' && c.answer.ok && (words === undefined || callText(c).includes(words)),
      );
  return {
    bot,
    slack,
    vercel,
    clock,
    db,
    databaseUrl: options.databaseUrl,
    history: { good, bad },
    async tick(service, advanceMs = 30_000) {
      // Posts in flight first: the outbox's channel lease is timed on this clock, and a jump past it would let a second
      // worker take the channel mid-call.
      if (!(await bot.bot.engine.outbox.drain(15_000))) throw new Error('the Slack outbox did not drain');
      clock.advance(advanceMs);
      // A slot a little in the past: the scheduler's claim window is already over, so runTick returns at once.
      const slot = new Date(Math.floor((clock.now().getTime() - 10_000) / 1000) * 1000);
      await bot.bot.detection.intake.flush();
      const outcome = await bot.bot.engine.scheduler.runTick(detectJobName(service), slot);
      if (outcome.result !== 'ran')
        throw new Error(`detect:${service} did not run: ${outcome.result} ${outcome.error?.explain() ?? ''}`);
      return outcome;
    },
    posts,
    waitForPost: (words, timeoutMs = 10_000) =>
      slack.waitForCall(
        (c) => c.method === 'chat.postMessage' && c.answer.ok && callText(c).includes(words),
        timeoutMs,
      ),
    async stop() {
      await db.end();
      await bot.stop();
      await slack.stop();
      await vercel.stop();
      git.cleanup();
    },
  };
}

/** A world for one describe block, with its own database. */
export function useDetectionWorld(
  label: string,
  options: Omit<DetectionWorldOptions, 'databaseUrl'> = {},
): { readonly world: DetectionWorld } {
  const database = testDatabase(label);
  let world: DetectionWorld | undefined;
  beforeAll(async () => {
    await database.create();
    world = await startDetectionWorld({ ...options, databaseUrl: database.url });
  });
  afterAll(async () => {
    await world?.stop();
    await database.drop();
  });
  return {
    get world(): DetectionWorld {
      if (!world) throw new Error('the world starts in beforeAll');
      return world;
    },
  };
}

interface AlertRowView {
  service: string;
  fingerprint: string;
  source: string;
  kind: string;
  value: number | null;
  firing: boolean;
  repeats: number;
  summary: string;
}

export async function alertRows(db: Client, service?: string): Promise<AlertRowView[]> {
  const { rows } = await db.query<AlertRowView>(
    `SELECT service, fingerprint, source, kind, value, firing, repeats, summary FROM ` +
      `alert_states ${service ? 'WHERE service = $1' : ''} ORDER BY fingerprint`,
    service ? [service] : [],
  );
  return rows;
}

export async function incidentsOf(
  db: Client,
  service: string,
): Promise<
  { id: string; state: string; severity: string | null; opened_by: string | null; issue: string; trigger: string }[]
> {
  const { rows } = await db.query(
    'SELECT id, state, severity, opened_by, issue, trigger FROM incidents WHERE service = $1 ORDER BY opened_at',
    [service],
  );
  return rows as never;
}
