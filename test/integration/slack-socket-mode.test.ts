/**
 * Socket Mode uses the same Web API client options as HTTP mode (SLACK_API_URL
 * included: apps.connections.open goes to the stand-in, not to slack.com) and
 * counts as reachable only while its socket is connected.
 */
import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { silentLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { createSlackApp, slackClientOptions } from '../../src/slack/app';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import type { Db } from '../../src/store/pool';
import { exampleService } from '../support/services';

/**
 * Just enough of Slack's Socket Mode WebSocket end to say hello: the HTTP
 * upgrade (RFC 6455 handshake), one text frame {"type":"hello"}, which is
 * when Slack's client counts itself connected, and the closing handshake.
 */
async function helloSocket(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    // The client's close frame (opcode 8) is answered with ours, and the connection ends cleanly.
    socket.on('data', (frame: Buffer) => {
      if (((frame[0] ?? 0) & 0x0f) === 0x8) socket.end(Buffer.from([0x88, 0x00]));
    });
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    // Under 126 bytes, so the one-byte length of an unmasked server frame holds it.
    const hello = Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1 }));
    socket.write(Buffer.concat([Buffer.from([0x81, hello.length]), hello]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const appDeps = () => ({
  db: {} as Db,
  metrics: createMetrics(),
  logger: silentLogger,
  routes: [],
  services: [exampleService()],
  handlers: {},
  engine: () => {
    throw new Error('not used');
  },
  rollout: () => {
    throw new Error('not used');
  },
  detection: {
    intake: {} as never,
    monitor: () => Promise.reject(new Error('not used')),
    openIncident: () => Promise.reject(new Error('not used')),
  },
});

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
      {
        botToken: 'xoxb-socket',
        signingSecret: '',
        appToken: 'xapp-1-wrong',
        apiUrl: slack.apiUrl,
        port: 0,
        identity: { botId: 'B0STANDIN', botUserId: 'U0ROLLBOT' },
      },
      appDeps(),
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
    expect(await Promise.race([started, new Promise((r) => setTimeout(() => r('pending'), 200))])).not.toBe(
      'connected',
    );
    // And the bot's own calls in both modes: no retries of the client's own, 429 rejected at once, a timeout.
    expect(slackClientOptions(slack.apiUrl)).toMatchObject({
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });

  it('is reachable once Slack says hello on the socket', async () => {
    const socket = await helloSocket();
    const standin = await startSlackStandin({
      token: 'xoxb-socket',
      socket: { appToken: 'xapp-1-good', url: socket.url },
    });
    const app = createSlackApp(
      {
        botToken: 'xoxb-socket',
        signingSecret: '',
        appToken: 'xapp-1-good',
        apiUrl: standin.apiUrl,
        port: 0,
        identity: { botId: 'B0STANDIN', botUserId: 'U0ROLLBOT' },
      },
      appDeps(),
    );
    try {
      expect(app.reachable()).toBe(false);
      await app.start();
      expect(standin.callsOf('apps.connections.open').map((c) => c.answer.ok)).toEqual([true]);
      expect(app.reachable()).toBe(true);
    } finally {
      await app.stop().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await socket.stop();
      await standin.stop();
    }
  });
});
