/**
 * Everything the drill needs, on embedded defaults and free ports: PostgreSQL
 * (embedded, or the server of DATABASE_URL) with the bot's store and the
 * scratch app's database, the Slack and Vercel stand-ins, the scratch app's
 * git repository, Vercel's git integration and monitoring played by the
 * drill, and the real bot started in-process with its HTTP endpoint, store,
 * runner, outbox and schedules. stop() takes it all down again and deletes
 * the drill's folder, unless asked to keep it. The service the bot is
 * configured with is in drill-service.ts.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { parseServicesFile } from '../config/load-config';
import type { ServiceConfig } from '../config/service-schema';
import { GitCodeRollback } from '../git/git-code-rollback';
import { createLogger } from '../logger';
import { type RunningBot, startBot } from '../main';
import { systemClock } from '../rollback/clock';
import type { IncidentStore } from '../rollback/ports/incident-store';
import { PrismaSchemaAdapter } from '../schema/prisma-schema-adapter';
import { SlackRequestSender } from '../standins/slack/signed-requests';
import { type SlackStandin, startSlackStandin } from '../standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../standins/vercel/server';
import { createIncidentStore } from '../store/incident-store';
import { type Db, createDb } from '../store/pool';
import { VercelApplication } from '../vercel/vercel-application';
import { Alerting } from './alerting';
import { type DrillDatabases, openDrillDatabases } from './databases';
import {
  ALERTS_CHANNEL,
  APP_DATABASE_ENV,
  COMMITTER,
  type DetectMode,
  SMOKE,
  TEAM_ID,
  serviceRaw,
} from './drill-service';
import { GitIntegration } from './git-integration';
import { type DrillGitHub, startDrillGitHub } from './github-protected';
import { ON_CALL_GROUP, PEOPLE, People } from './people';
import { runStatements } from './app-database';
import { INITIAL_COMMIT, SEED_CLINICAL_DATA, SERVICE_NAME } from './scratch-app';
import { type ScratchRepo, createScratchRepo } from './scratch-repo';
import { SlackTranscript } from './slack-transcript';
import { Teardown } from './teardown';

/** Polls of a READY production build before the Vercel stand-in assigns its domains. */
const DRILL_ALIAS_AFTER_POLLS = 3;

/** Ways to make the rollback fail on purpose, to rehearse how the bot reports it. */
export const BREAKS = {
  'vercel-promote':
    "Vercel's promote job fails for every production domain (the application rollback cannot move production)",
  'vercel-build': 'every production build after the bad deployment ends in ERROR (the git revert cannot ship)',
} as const;
export type Break = keyof typeof BREAKS;

interface WorldOptions {
  readonly keep: boolean;
  readonly databaseUrl?: string;
  readonly breaks: ReadonlySet<Break>;
  /** Serve the origin from the GitHub stand-in; the revert goes through a pull request. */
  readonly githubProtected?: boolean;
  readonly detect?: DetectMode;
  readonly print: (line: string) => void;
}

export interface DrillWorld {
  readonly runDir: string;
  readonly databases: DrillDatabases;
  readonly slack: SlackStandin;
  readonly vercel: VercelStandin;
  readonly repo: ScratchRepo;
  readonly service: ServiceConfig;
  readonly bot: RunningBot;
  readonly botUrl: string;
  readonly sender: SlackRequestSender;
  readonly transcript: SlackTranscript;
  readonly people: People;
  readonly integration: GitIntegration;
  readonly alerting: Alerting;
  /** The bot's store, read by the drill through its own pool (the metrics come from here). */
  readonly store: IncidentStore;
  /** The environment restore-archive runs with (services file, app database URL). */
  readonly cliEnv: NodeJS.ProcessEnv;
  readonly botLog: string;
  readonly breaks: ReadonlySet<Break>;
  /** Present in the --github-protected variant. */
  readonly github?: DrillGitHub;
  readonly detect: DetectMode;
  /** Stops everything; returns what was kept (with --keep) as lines to print. */
  stop(): Promise<string[]>;
}

/**
 * Production before the drill: the app's 1.5.0 with its schema and clinical
 * data, live before the bot starts, so the bot's first probes see a healthy app.
 */
async function shipInitialRelease(repo: ScratchRepo, integration: GitIntegration, appUrl: string): Promise<void> {
  const commit = await repo.commit(INITIAL_COMMIT.files, INITIAL_COMMIT.message);
  await repo.push();
  const build = await integration.waitForBuild(commit);
  if (build?.state !== 'READY')
    throw new Error(
      `the scratch app's first release did not build: ${build?.error ?? build?.state ?? 'no build within 30 s'}`,
    );
  await runStatements(appUrl, SEED_CLINICAL_DATA);
}

export async function startWorld(options: WorldOptions): Promise<DrillWorld> {
  const runId = randomBytes(4).toString('hex');
  const runDir = mkdtempSync(join(tmpdir(), 'rollback-drill-'));
  const teardown = new Teardown();
  teardown.add(() => {
    if (!options.keep) rmSync(runDir, { recursive: true, force: true });
  });
  try {
    const databases = await openDrillDatabases({
      databaseUrl: options.databaseUrl,
      dataDir: join(runDir, 'postgres'),
      runId,
    });
    teardown.add(() => databases.close(options.keep));
    const botToken = `xoxb-drill-${randomBytes(12).toString('hex')}`;
    const signingSecret = randomBytes(24).toString('hex');
    const slack = await startSlackStandin({
      token: botToken,
      users: Object.fromEntries(Object.values(PEOPLE).map((p) => [p.id, { name: p.name }])),
      usergroups: { [ON_CALL_GROUP.id]: [PEOPLE.onCall.id] },
      channels: { [ALERTS_CHANNEL.id]: ALERTS_CHANNEL.name },
      postsPerChannelPerSecond: 1,
    });
    teardown.add(() => slack.stop());
    // As on Vercel, a READY production build gets its domains some polls later (3), never at once.
    const vercel = await startVercelStandin({
      teamId: TEAM_ID,
      projectName: SERVICE_NAME,
      smokeCredentials: SMOKE,
      aliasAfterPolls: DRILL_ALIAS_AFTER_POLLS,
    });
    teardown.add(() => vercel.stop());
    vercel.state.teamMembers.push({ email: COMMITTER.email, username: COMMITTER.name, role: 'DEVELOPER' });
    if (options.breaks.has('vercel-promote'))
      vercel.state.nextJob = { outcome: 'failed', pollsPerStep: 1, failedAliases: [...vercel.state.project.domains] };
    const repo = await createScratchRepo(join(runDir, 'git'));

    const github = options.githubProtected ? await startDrillGitHub(repo.origin) : undefined;
    if (github) teardown.add(() => github.standin.stop());
    const plain = serviceRaw(vercel, repo, options.detect ?? 'alerts');
    const service = github
      ? { ...plain, git: { ...(plain.git as Record<string, unknown>), ...github.gitSettings } }
      : plain;
    const configPath = join(runDir, 'rollback.config.yaml');
    writeFileSync(configPath, stringify({ services: [service] }));
    const [parsed] = parseServicesFile(stringify({ services: [service] }), configPath);
    const dataDir = join(runDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const botLog = join(runDir, 'bot.log');
    const logStream = createWriteStream(botLog, { flags: 'a' });
    teardown.add(() => new Promise<void>((resolve) => logStream.end(() => resolve())));
    const logger = createLogger('info', logStream);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: repo.env.HOME,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: databases.botUrl,
      ROLLBACK_CONFIG: configPath,
      ROLLBACK_DATA_DIR: dataDir,
      PORT: '0',
      VERCEL_TOKEN: vercel.token,
      VERCEL_API_URL: vercel.url,
      [APP_DATABASE_ENV]: databases.appUrl,
      SMOKE_TEST_PASSWORD: SMOKE.password,
      ...github?.env,
    };
    const adapters = {
      application: new VercelApplication({
        token: vercel.token,
        apiUrl: vercel.url,
        logger: logger.child({ adapter: 'vercel' }),
        deploymentOrigin: vercel.deploymentOrigin,
        pollIntervalMs: 250,
        env,
      }),
      deploymentOrigin: vercel.deploymentOrigin,
      code: new GitCodeRollback({
        services: [parsed as ServiceConfig],
        workspaceDir: join(dataDir, 'git'),
        logger: logger.child({ adapter: 'git' }),
        env: repo.env,
        ...(github
          ? { pullRequests: github.pullRequests(logger.child({ adapter: 'github' })), pullRequestPollMs: 250 }
          : {}),
      }),
      schema: new PrismaSchemaAdapter({
        logger: logger.child({ adapter: 'schema' }),
        clock: systemClock,
        shadow: { serverUrl: databases.serverUrl },
      }),
      clock: systemClock,
    };
    const integration = new GitIntegration({
      repo,
      vercel,
      teamId: TEAM_ID,
      appDatabaseUrl: databases.appUrl,
      note: (line) => options.print(`    ${line}`),
    });
    await integration.start();
    teardown.add(() => integration.stop());
    await shipInitialRelease(repo, integration, databases.appUrl);
    const bot = await startBot(env, logger, { adapters, options: { runnerIntervalMs: 500, outboxPollMs: 200 } });
    teardown.add(() => bot.stop());
    const botUrl = `http://127.0.0.1:${bot.port}`;
    const sender = new SlackRequestSender(`${botUrl}/slack/events`, signingSecret, {
      teamId: slack.workspace.teamId,
      responseUrl: slack.responseUrl,
    });

    const names = new Map<string, string>([
      ...Object.values(PEOPLE).map((p) => [p.id, p.name] as const),
      [ON_CALL_GROUP.id, ON_CALL_GROUP.name],
      [ALERTS_CHANNEL.id, ALERTS_CHANNEL.name],
      [slack.workspace.botUserId, 'rollback-bot'],
    ]);
    const transcript = new SlackTranscript(slack, options.print, names);
    const printing = setInterval(() => transcript.sync(), 200);
    teardown.add(() => {
      clearInterval(printing);
      transcript.sync();
    });
    const alerting = new Alerting({
      vercel,
      service: SERVICE_NAME,
      channel: ALERTS_CHANNEL.id,
      sender,
      transcript,
      isBroken: (id) => integration.builds.some((b) => b.deploymentId === id && b.broken),
      silent: options.detect === 'probes',
    });
    teardown.add(() => alerting.stop());
    const db: Db = createDb(databases.botUrl, logger, 2);
    teardown.add(() => db.close());

    return {
      runDir,
      databases,
      slack,
      vercel,
      repo,
      service: parsed as ServiceConfig,
      bot,
      botUrl,
      sender,
      transcript,
      people: new People(sender, transcript, ALERTS_CHANNEL.id),
      integration,
      alerting,
      store: createIncidentStore(db),
      cliEnv: env,
      botLog,
      breaks: options.breaks,
      ...(github ? { github } : {}),
      detect: options.detect ?? 'alerts',
      stop: async () => {
        await teardown.run();
        if (!options.keep) return [];
        return [
          `folder ${runDir}: git/origin.git (the scratch app's origin), git/dev (its ` +
            `developer clone), rollback.config.yaml, bot.log`,
          databases.where,
          'the bot, its HTTP endpoint and the Slack and Vercel stand-ins lived in the ' +
            "drill's process and stopped with it; bot.log holds the bot's own log",
        ];
      },
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
