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

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's payloads are small; anything larger is refused before parsing. */
export const BODY_LIMIT_BYTES = 512 * 1024;

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  /** The bot's ids from auth.test at start, so Bolt never has to ask Slack again. */
  identity?: { botId?: string; botUserId?: string };
}

export interface SlackAppDeps extends ListenerDeps {
  db: Db;
  metrics: Metrics;
  logger: Logger;
  routes: CustomRoute[];
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  /** Starts listening; returns the port actually bound (PORT=0 picks a free one). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** Slack's WebClient wants the base URL with a trailing slash. */
export function slackApiBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

export function createSlackApp(settings: SlackSettings, deps: SlackAppDeps): SlackApp {
  const logger = boltLogger(deps.logger);
  const socket = Boolean(settings.appToken);
  const receiver = socket
    ? new SocketModeReceiver({
        appToken: settings.appToken as string,
        customRoutes: deps.routes,
        installerOptions: { port: settings.port },
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
    clientOptions: {
      slackApiUrl: slackApiBase(settings.apiUrl),
      // Posting is retried by the bot's own outbox; the client must not block a listener for minutes.
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    },
    // Without this Bolt calls auth.test lazily on the first delivery; we want a clear failure at start instead.
    tokenVerificationEnabled: false,
  });
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
  registerListeners(app, deps);
  app.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
    app,
    mode: socket ? 'socket' : 'http',
    start: async () => {
      const server = (await app.start(settings.port)) as unknown;
      const address = (server as { address?: () => unknown } | undefined)?.address?.();
      return typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : settings.port;
    },
    stop: async () => {
      await app.stop();
    },
  };
}
