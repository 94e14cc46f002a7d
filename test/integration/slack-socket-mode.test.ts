/**
 * Socket Mode uses the same Web API client options as HTTP mode (SLACK_API_URL
 * included: apps.connections.open goes to the stand-in, not to slack.com) and
 * counts as reachable only while its socket is connected.
 */
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { createSlackApp, slackClientOptions } from '../../src/slack/app';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import type { Db } from '../../src/store/pool';
import { exampleService } from '../support/services';

describe('Socket Mode receiver', () => {
  let slack: SlackStandin;
  beforeAll(async () => {
    slack = await startSlackStandin({ token: 'xoxb-socket' });
  });
  afterAll(async () => {
    await slack.stop();
  });

  it('opens its connection through SLACK_API_URL and is not reachable until the socket connects', async () => {
    const app = createSlackApp(
      { botToken: 'xoxb-socket', signingSecret: '', appToken: 'xapp-1-socket', apiUrl: slack.apiUrl, port: 0, identity: { botId: 'B0STANDIN', botUserId: 'U0ROLLBOT' } },
      {
        db: {} as Db,
        metrics: createMetrics(),
        logger: silentLogger,
        routes: [],
        services: [exampleService()],
        handlers: {},
        engine: () => {
          throw new Error('not used');
        },
        detection: { intake: {} as never, monitor: () => Promise.reject(new Error('not used')), openIncident: () => Promise.reject(new Error('not used')) },
      },
    );
    expect(app.mode).toBe('socket');
    expect(app.reachable()).toBe(false);
    // The stand-in does not speak WebSocket: Slack's answer to apps.connections.open is a refusal, so no socket.
    const started = app.start().then(
      () => 'connected',
      () => 'refused',
    );
    const opened = await slack.waitForCall((c) => c.method === 'apps.connections.open', 5000);
    expect(opened.answer.ok).toBe(false);
    expect(app.reachable()).toBe(false);
    await app.stop().catch(() => undefined);
    expect(await Promise.race([started, new Promise((r) => setTimeout(() => r('pending'), 200))])).not.toBe('connected');
    // And the bot's own calls in both modes: no retries of the client's own, 429 rejected at once, a timeout.
    expect(slackClientOptions(slack.apiUrl)).toMatchObject({ slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
});
