/**
 * The Bolt app: HTTP receiver at POST /slack/events (or Socket Mode when an
 * app token is set), our own routes beside it, global middleware, listeners.
 */
import { App, type CustomRoute, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Db } from '../store/pool';
import { boltLogger } from './bolt-logger';
import { type ListenerDeps, registerListeners } from './listeners';
import { dedupeDeliveries } from './middleware/dedupe';
import { deliveryClaims } from './middleware/delivery-claims';
import { alertsFastPath } from './alerts-fast-path';
import { answerUnknownActions } from './middleware/unknown-actions';

const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's payloads are small; anything larger is refused before parsing. */
const BODY_LIMIT_BYTES = 512 * 1024;

interface SlackSettings {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  /** The Web API client's timeout (default SLACK_CALL_TIMEOUT_MS; tests shorten it). */
  callTimeoutMs?: number;
  /** The bot's ids from auth.test at start, so Bolt never has to ask Slack again. */
  identity?: { botId?: string; botUserId?: string };
}

interface SlackAppDeps extends ListenerDeps {
  db: Db;
  metrics: Metrics;
  logger: Logger;
  routes: CustomRoute[];
}

interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** True when Slack can reach the bot: always in HTTP mode, only while the socket is connected in Socket Mode. */
  reachable(): boolean;
  /** Starts listening; returns the port actually bound (PORT=0 picks a free one). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** Slack's WebClient wants the base URL with a trailing slash. */
export function slackApiBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

/** How long the Web API client waits for an answer; the outbox treats a call cut off here as "outcome unknown". */
const SLACK_CALL_TIMEOUT_MS = 8_000;

/**
 * The Web API client's options, the same in HTTP and Socket Mode. The outbox is
 * the one owner of retries: the client neither retries nor pauses its queue on a
 * 429 (it rejects at once with Retry-After), and gives up after a timeout, so no
 * request it abandoned can still be re-sent behind the outbox's back.
 */
export function slackClientOptions(apiUrl: string | undefined, timeoutMs = SLACK_CALL_TIMEOUT_MS) {
  return {
    slackApiUrl: slackApiBase(apiUrl),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
  };
}

export function createSlackApp(settings: SlackSettings, deps: SlackAppDeps): SlackApp {
  const logger = boltLogger(deps.logger);
  const socket = Boolean(settings.appToken);
  const clientOptions = slackClientOptions(settings.apiUrl, settings.callTimeoutMs);
  let socketConnected = false;
  const receiver = socket
    ? new SocketModeReceiver({
        appToken: settings.appToken as string,
        customRoutes: deps.routes,
        // The socket's own client (apps.connections.open) goes where the bot's calls go: SLACK_API_URL, same limits.
        installerOptions: { port: settings.port, clientOptions },
        logger,
      })
    : new HTTPReceiver({
        signingSecret: settings.signingSecret,
        endpoints: SLACK_EVENTS_PATH,
        customRoutes: deps.routes,
        signatureVerification: true,
        processBeforeResponse: false,
        bodyLimit: BODY_LIMIT_BYTES,
        logger,
      });
  const app = new App({
    token: settings.botToken,
    botId: settings.identity?.botId,
    botUserId: settings.identity?.botUserId,
    receiver,
    logger,
    clientOptions,
    // Without this Bolt calls auth.test lazily on the first delivery; we want a clear failure at start instead.
    tokenVerificationEnabled: false,
  });
  if (receiver instanceof SocketModeReceiver) {
    // Ready only while the socket is up: without it Slack has no way to reach the bot.
    receiver.client.on('connected', () => {
      socketConnected = true;
    });
    receiver.client.on('disconnected', () => {
      socketConnected = false;
    });
  }
  const claims = deliveryClaims(deps.db);
  if (receiver instanceof HTTPReceiver) {
    receiver.requestListener = alertsFastPath(
      {
        path: SLACK_EVENTS_PATH,
        bodyLimit: BODY_LIMIT_BYTES,
        signingSecret: settings.signingSecret,
        channels: new Set(deps.services.map((s) => s.slack.alertsChannel)),
        self: settings.identity ?? {},
        claims,
        intake: deps.detection.intake,
        metrics: deps.metrics,
        logger: deps.logger,
      },
      receiver.requestListener,
    );
  }
  app.use(dedupeDeliveries(deps.db, deps.metrics, deps.logger, claims));
  app.use(answerUnknownActions(deps.logger));
  registerListeners(app, deps);
  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
    app,
    mode: socket ? 'socket' : 'http',
    reachable: () => !socket || socketConnected,
    start: async () => {
      const server = (await app.start(settings.port)) as unknown;
      const address = (server as { address?: () => unknown } | undefined)?.address?.();
      return typeof address === 'object' && address !== null && 'port' in address
        ? Number(address.port)
        : settings.port;
    },
    stop: async () => {
      await app.stop();
    },
  };
}
