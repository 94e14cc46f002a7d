/**
 * `rollback-bot start`: the composition root. Validates the environment
 * before anything else (the logger's level included), builds each long-lived
 * part once, registers its stop as it starts it, and stops them in reverse
 * order on SIGTERM/SIGINT/SIGHUP, also when the signal arrives during
 * start-up.
 */
import { type AppConfig, loadConfig, parseEnv } from './config/load-config';
import { healthRoutes } from './http/routes';
import { webhookRoutes } from './http/webhooks';
import type { Detection } from './watch';
import { type Logger, createLogger } from './logger';
import { createMetrics } from './metrics';
import { RollbackError, isRollbackError } from './rollback/errors';
import { webApi } from '@slack/bolt';
import { createSlackApp, slackApiBase } from './slack/app';
import { boltLogger } from './slack/bolt-logger';
import { openDatabase } from './store/open-database';
import { upsertService } from './store/queries/services';
import { incidentCommandHandlers } from './slack/listeners/commands/incident-commands';
import { createIncidentReplies } from './slack/replies';
import { type Adapters, defaultAdapters } from './default-adapters';
import { type Engine, type EngineOptions, prepareEngine } from './wiring';
import { type Lifecycle, StartAborted, createLifecycle } from './lifecycle';
import { missingCredentials, missingSetup } from './start-checks';

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

function portInUse(error: unknown, port: number): RollbackError | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  return new RollbackError('config_invalid', `Port ${port} is already in use by another process.`, {
    cause: error,
    fix: 'Set PORT to a free port, or stop what listens on it (another rollback-bot?).',
  });
}

export async function startBot(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  wiring: { adapters?: Partial<Adapters>; options?: EngineOptions } = {},
  lifecycle: Lifecycle = createLifecycle(logger),
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
  // Before the database starts: every variable a service needs that is unset, each refusing only what needs it.
  for (const missing of missingCredentials(config.services, env))
    logger.warn({ service: missing.service, variable: missing.variable }, missing.message);

  let stopping = false;
  const metrics = createMetrics();
  try {
    const database = await openDatabase(
      {
        databaseUrl: config.env.DATABASE_URL,
        dataDir: config.env.ROLLBACK_DATA_DIR,
        serverDir: config.env.ROLLBACK_SERVER_DIR,
      },
      logger,
    );
    lifecycle.add('database', () => database.close());
    lifecycle.checkpoint();
    for (const service of config.services) await database.db.query(upsertService(service));
    const prepared = prepareEngine({
      config,
      env,
      db: database.db,
      lockPool: (size) => database.extraPool(size),
      logger,
      // Schema plans replay migrations into a scratch database on the bot's own server, dropped after each plan.
      adapters: { ...defaultAdapters(config, env, logger, { shadowServerUrl: database.url }), ...wiring.adapters },
      metrics,
      options: wiring.options,
    });
    const detection = prepared.detection;
    // Asked once at start: Bolt is given the answer, so a later Slack outage cannot stop it
    // from handling a /rollback (it would otherwise call auth.test on the first delivery).
    const identity = await lifecycle.until(
      verifySlackToken(config.env.SLACK_BOT_TOKEN as string, config.env.SLACK_API_URL, logger),
    );
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
        handlers: incidentCommandHandlers(
          prepared.deps,
          createIncidentReplies(prepared.notifier, prepared.membership),
          prepared.rollout,
        ),
        engine: prepared.deps,
        rollout: prepared.rollout,
        detection,
        homeWarnings: () => prepared.membership.problems(),
        routes: [
          ...healthRoutes({
            db: database.db,
            metrics,
            isStopping: () => stopping,
            slackReachable: () => slackReachable(),
            liveness: () => (database.serverAlive() ? [] : ['embedded PostgreSQL is down (restarting)']),
          }),
          ...webhookRoutes({
            intake: detection.intake,
            secret: config.env.WEBHOOK_SECRET,
            logger: logger.child({ component: 'webhooks' }),
          }),
        ],
      },
    );
    slackReachable = () => slack.reachable();
    const engine = prepared.start(slack.app.client);
    lifecycle.add('engine', () => engine.stop());
    lifecycle.add('detection', () => detection.stop());
    lifecycle.add('slack', () => slack.stop());
    lifecycle.checkpoint();
    let port: number;
    try {
      port = await lifecycle.until(slack.start());
    } catch (error) {
      throw portInUse(error, config.env.PORT) ?? error;
    }
    logger.info({ port, mode: slack.mode, services: config.services.map((s) => s.name) }, 'rollback-bot is ready');
    return {
      port,
      engine,
      detection,
      stop: async () => {
        stopping = true;
        logger.info('stopping: no new work taken, finishing requests in flight');
        await lifecycle.stopAll();
        logger.info('stopped');
      },
    };
  } catch (error) {
    stopping = true;
    await lifecycle.stopAll();
    throw error;
  }
}

async function verifySlackToken(
  token: string,
  apiUrl: string | undefined,
  logger: Logger,
): Promise<{ botId?: string; botUserId?: string }> {
  try {
    const client = new webApi.WebClient(token, {
      slackApiUrl: slackApiBase(apiUrl),
      logger: boltLogger(logger),
      retryConfig: { retries: 2, minTimeout: 200, maxTimeout: 1000 },
    });
    const answer = await client.auth.test();
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
      fix:
        'Check SLACK_BOT_TOKEN (xoxb-…) and that the app is installed in the workspace; ' +
        'set SLACK_API_URL only for a proxy.',
    });
  }
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** The start subcommand: returns only when the bot has stopped. */
export async function runStart(env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  let level: string;
  try {
    // The level is checked before the logger exists: pino would throw a stack trace on a bad one.
    level = parseEnv(env).LOG_LEVEL;
  } catch (error) {
    if (!isRollbackError(error)) throw error;
    out.stderr(`rollback-bot cannot start.\n${error.explain()}\n`);
    return 1;
  }
  const logger = createLogger(level);
  const lifecycle = createLifecycle(logger);
  let stopped: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    lifecycle.requestStop(signal);
    stopped?.();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    let bot: RunningBot;
    try {
      bot = await startBot(env, logger, {}, lifecycle);
    } catch (error) {
      if (error instanceof StartAborted) {
        logger.info({ signal: error.signal }, 'stopped during start-up: everything started so far is stopped');
        return 0;
      }
      if (isRollbackError(error)) {
        out.stderr(`rollback-bot cannot start.\n${error.explain()}\n`);
        return 1;
      }
      throw error;
    }
    if (!lifecycle.stopRequested) await new Promise<void>((resolve) => (stopped = resolve));
    await bot.stop();
    return 0;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
