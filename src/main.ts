/**
 * `rollback-bot start`: wires config, logger, database and adapters, starts
 * the Slack app, and stops gracefully on SIGTERM/SIGINT.
 */
import { type AppConfig, loadConfig } from './config/load-config';
import { healthRoutes } from './http/routes';
import { webhookRoutes } from './http/webhooks';
import { type Detection, createDetection } from './detection';
import { createSlackNotifier } from './slack/outbox';
import { type Logger, createLogger } from './logger';
import { createMetrics } from './metrics';
import { RollbackError, isRollbackError } from './rollback/errors';
import { webApi } from '@slack/bolt';
import { createSlackApp, slackApiBase } from './slack/app';
import { type OpenDatabase, openDatabase } from './store/open-database';
import { upsertService } from './store/queries/services';
import { incidentCommandHandlers } from './slack/listeners/commands/incident-commands';
import { createIncidentReplies } from './slack/replies';
import { type Adapters, type Engine, type EngineOptions, defaultAdapters, prepareEngine } from './wiring';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface RunningBot {
  port: number;
  engine: Engine;
  /** Alert intake, trigger evaluation and the Monitor / Open incident answers. */
  detection: Detection;
  stop(): Promise<void>;
}

/** Everything a newcomer must do before the bot can start, as next steps rather than a stack trace. */
export function missingSetup(env: NodeJS.ProcessEnv): string[] {
  const steps: string[] = [];
  if (!env.SLACK_BOT_TOKEN || (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)) {
    steps.push(
      'Slack tokens are not set. Create the Slack app from manifests/slack-app.http.yaml (or slack-app.socket.yaml), install it, then set ' +
        'SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN xapp-… for Socket Mode). See "Setting up Slack" in README.md.',
    );
  }
  return steps;
}

export async function startBot(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  wiring: { adapters?: Partial<Adapters>; options?: EngineOptions } = {},
): Promise<RunningBot> {
  const setup = missingSetup(env);
  let config: AppConfig | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!isRollbackError(error)) throw error;
    setup.push(error.explain());
  }
  if (setup.length > 0 || !config) {
    throw new RollbackError('config_invalid', `Next steps:\n${setup.map((step, i) => `${i + 1}. ${step}`).join('\n')}`);
  }

  let stopping = false;
  const metrics = createMetrics();
  const database: OpenDatabase = await openDatabase(
    { databaseUrl: config.env.DATABASE_URL, dataDir: config.env.ROLLBACK_DATA_DIR },
    logger,
  );
  try {
    for (const service of config.services) await database.db.query(upsertService(service));
    const prepared = prepareEngine({
      config,
      env,
      db: database.db,
      lockPool: (size) => database.extraPool(size),
      logger,
      adapters: { ...defaultAdapters(config, env, logger), ...wiring.adapters },
      metrics,
      options: wiring.options,
    });
    // The outbox exists once the engine starts (after the Slack app): detection's posts wake it then.
    const started: { engine?: Engine } = {};
    const detection = createDetection({
      db: database.db,
      services: config.services,
      engine: prepared.deps,
      notifier: createSlackNotifier(database.db, { onStored: () => started.engine?.outbox.wake() }),
      logger: logger.child({ component: 'detection' }),
      metrics,
    });
    // Asked once at start: Bolt is given the answer, so a later Slack outage cannot stop it
    // from handling a /rollback (it would otherwise call auth.test on the first delivery).
    const identity = await verifySlackToken(config.env.SLACK_BOT_TOKEN as string, config.env.SLACK_API_URL);
    // Bound once the Slack app exists: in Socket Mode the bot is ready only while its socket is connected.
    let slackReachable = (): boolean => false;
    const slack = createSlackApp(
      {
        identity,
        botToken: config.env.SLACK_BOT_TOKEN as string,
        signingSecret: config.env.SLACK_SIGNING_SECRET ?? '',
        appToken: config.env.SLACK_APP_TOKEN,
        apiUrl: config.env.SLACK_API_URL,
        port: config.env.PORT,
        callTimeoutMs: wiring.options?.slackCallTimeoutMs,
      },
      {
        db: database.db,
        metrics,
        logger,
        services: config.services,
        handlers: incidentCommandHandlers(prepared.deps, createIncidentReplies(createSlackNotifier(database.db), prepared.membership)),
        engine: prepared.deps,
        detection,
        homeWarnings: () => prepared.membership.problems(),
        routes: [
          ...healthRoutes({ db: database.db, metrics, isStopping: () => stopping, slackReachable: () => slackReachable() }),
          ...webhookRoutes({ intake: detection.intake, secret: config.env.WEBHOOK_SECRET, logger: logger.child({ component: 'webhooks' }) }),
        ],
      },
    );
    slackReachable = () => slack.reachable();
    const engine = prepared.start(slack.app.client);
    started.engine = engine;
    const port = await slack.start();
    logger.info({ port, mode: slack.mode, services: config.services.map((s) => s.name) }, 'rollback-bot is ready');
    return {
      port,
      engine,
      detection,
      stop: async () => {
        stopping = true;
        logger.info('stopping: no new work taken, finishing requests in flight');
        await slack.stop().catch((error: unknown) => logger.warn({ err: error }, 'Slack receiver did not stop cleanly'));
        await detection.stop().catch((error: unknown) => logger.warn({ err: error }, 'pending alerts not written at stop'));
        await engine.stop();
        await database.close();
        logger.info('stopped');
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function verifySlackToken(token: string, apiUrl: string | undefined): Promise<{ botId?: string; botUserId?: string }> {
  try {
    const answer = await new webApi.WebClient(token, { slackApiUrl: slackApiBase(apiUrl), retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 } }).auth.test();
    return { botId: answer.bot_id, botUserId: answer.user_id };
  } catch (error) {
    const refusal = (error as { data?: { error?: string } }).data?.error;
    if (!refusal) {
      throw new RollbackError('unavailable', `Slack's Web API could not be reached (${(error as Error).message}).`, {
        cause: error,
        retryable: true,
        fix: 'Check the network or proxy; SLACK_API_URL, when set, must point at a reachable Web API.',
      });
    }
    throw new RollbackError('config_invalid', `Slack refused the bot token (${refusal}).`, {
      cause: error,
      fix: 'Check SLACK_BOT_TOKEN (xoxb-…) and that the app is installed in the workspace; set SLACK_API_URL only for a proxy.',
    });
  }
}

/** The start subcommand: returns only when the bot has stopped. */
export async function runStart(env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const logger = createLogger(env.LOG_LEVEL || 'info');
  let bot: RunningBot;
  try {
    bot = await startBot(env, logger);
  } catch (error) {
    if (isRollbackError(error) && (error.code === 'config_invalid' || error.code === 'unavailable')) {
      out.stderr(`rollback-bot cannot start.\n${error.explain()}\n`);
      return 1;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      logger.info({ signal }, 'signal received');
      void bot.stop().then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}
