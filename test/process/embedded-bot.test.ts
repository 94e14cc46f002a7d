/**
 * The bot on its embedded PostgreSQL as an operator runs it: real `start`
 * processes, real signals, a real port occupied. Proves that the bot owns
 * what it starts: one bot per data folder (the second is refused, the first
 * unaffected), nothing outlives it (SIGTERM during start-up, SIGKILL, a
 * start-up that fails), and /healthz tells the truth when its server dies
 * and is restarted.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { BOT_TOKEN } from '../support/bot';
import { EXAMPLE_CONFIG_PATH } from '../support/services';
import { type Spawned, alive, loggedServerDataDir, postmasterPid, spawnCli } from './start-process';
import { waitFor } from '../support/wait';

jest.setTimeout(240_000);

const READY = /"port":(\d+)[^\n]*"msg":"rollback-bot is ready"/;

describe('rollback-bot start on its embedded PostgreSQL', () => {
  let slack: SlackStandin;
  let dir: string;
  const spawned: Spawned[] = [];

  const start = (dataDir: string, extra: Record<string, string> = {}): Spawned => {
    const bot = spawnCli(['start'], {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
      ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
      ROLLBACK_DATA_DIR: dataDir,
      // As root, a private folder's server files would go here (never /var/lib during tests).
      ROLLBACK_SERVER_DIR: join(dir, 'server'),
      PORT: '0',
      VERCEL_TOKEN: 'vercel-token',
      DR_AMAL_GIT_TOKEN: 'git-token',
      DR_AMAL_DATABASE_URL: 'postgres://app@127.0.0.1:1/app',
      SMOKE_TEST_PASSWORD: 'pw',
      ...extra,
    });
    spawned.push(bot);
    return bot;
  };
  const portOf = (output: string): number => Number(READY.exec(output)?.[1]);

  beforeAll(async () => {
    slack = await startSlackStandin({ token: BOT_TOKEN, channels: { C0PRODALRT: 'prod-alerts' } });
    dir = mkdtempSync(join(tmpdir(), 'rollback-bot-process-'));
    // The test's own folder, open like a normal working folder (the private-folder case has its own test).
    chmodSync(dir, 0o755);
  });
  afterEach(() => {
    for (const bot of spawned.splice(0)) bot.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'refuses a second bot on the same data folder with a clear error and exit 1; the ' +
      'first keeps serving and stops its server at SIGTERM',
    async () => {
      const dataDir = join(dir, 'shared');
      const first = start(dataDir);
      const port = portOf(await first.waitFor(READY));
      const serverDataDir = loggedServerDataDir(first.output());
      const server = postmasterPid(serverDataDir);
      expect(alive(server)).toBe(true);

      const second = start(dataDir);
      expect(await second.exit()).toBe(1);
      expect(second.output()).toMatch(
        new RegExp(
          `The data folder ${join(dataDir, 'postgres')} is in use by another rollback-bot ` +
            `process \\(pid ${first.child.pid}\\)`,
        ),
      );
      expect(second.output()).toContain('give this one its own ROLLBACK_DATA_DIR');
      expect(second.output()).not.toMatch(/\n\s+at /);

      // The first is unaffected: same server, still ready.
      expect(postmasterPid(serverDataDir)).toBe(server);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      first.child.kill('SIGTERM');
      expect(await first.exit()).toBe(0);
      expect(alive(server)).toBe(false);
    },
  );

  it('SIGTERM during start-up, right after the embedded server started, stops it and exits 0', async () => {
    const bot = start(join(dir, 'early-term'));
    const output = await bot.waitFor(/embedded PostgreSQL started/);
    bot.child.kill('SIGTERM');
    const server = postmasterPid(loggedServerDataDir(output));
    expect(await bot.exit()).toBe(0);
    expect(bot.output()).toMatch(/stopped during start-up/);
    expect(bot.output()).not.toMatch(/rollback-bot is ready/);
    await waitFor('the embedded server to be gone', () => !alive(server), 10_000);
  });

  it(
    'SIGTERM while the Socket Mode connection is being opened stops the embedded ' +
      'server and exits 0, leaving no orphan',
    async () => {
      // A WebSocket end that takes the connection and never answers: the bot stays "connecting" until the signal.
      const connecting: Socket[] = [];
      const hang: Server = createServer((socket) => {
        socket.on('error', () => undefined);
        connecting.push(socket);
      });
      await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
      const socketSlack = await startSlackStandin({
        token: BOT_TOKEN,
        channels: { C0PRODALRT: 'prod-alerts' },
        socket: { appToken: 'xapp-1-socket', url: `ws://127.0.0.1:${(hang.address() as { port: number }).port}/link` },
      });
      try {
        const bot = start(join(dir, 'socket-term'), {
          SLACK_API_URL: socketSlack.apiUrl,
          SLACK_APP_TOKEN: 'xapp-1-socket',
          SLACK_SIGNING_SECRET: '',
        });
        const output = await bot.waitFor(/embedded PostgreSQL started/);
        const server = postmasterPid(loggedServerDataDir(output));
        expect(alive(server)).toBe(true);
        await waitFor('the bot to open its Socket Mode connection', () => connecting.length > 0, 60_000);
        bot.child.kill('SIGTERM');
        expect(await bot.exit()).toBe(0);
        // Stopped by its own lifecycle (not only by the server noticing its parent gone).
        expect(bot.output()).toMatch(/stopped during start-up/);
        expect(bot.output()).not.toMatch(/rollback-bot is ready/);
        expect(bot.output()).not.toMatch(/\n\s+at /);
        await waitFor('the embedded server to be gone', () => !alive(server), 10_000);
      } finally {
        for (const socket of connecting) socket.destroy();
        hang.close();
        await socketSlack.stop();
      }
    },
  );

  it(
    'a bot killed with SIGKILL takes its embedded server with it, and the next bot ' + 'takes the folder over',
    async () => {
      const dataDir = join(dir, 'killed');
      const first = start(dataDir);
      await first.waitFor(READY);
      const server = postmasterPid(loggedServerDataDir(first.output()));
      first.child.kill('SIGKILL');
      await first.exit();
      await waitFor('the orphaned server to stop', () => !alive(server), 15_000);

      const next = start(dataDir);
      const port = portOf(await next.waitFor(READY));
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      next.child.kill('SIGTERM');
      expect(await next.exit()).toBe(0);
    },
  );

  it(
    'a port in use: exit 1 naming the port, no stack trace, and the embedded server ' + 'it had started is stopped',
    async () => {
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
      const port = (holder.address() as { port: number }).port;
      try {
        const bot = start(join(dir, 'port'), { PORT: String(port) });
        expect(await bot.exit()).toBe(1);
        expect(bot.output()).toContain(`Port ${port} is already in use by another process. Set PORT to a free port`);
        expect(bot.output()).not.toMatch(/\n\s+at /);
        expect(alive(postmasterPid(loggedServerDataDir(bot.output())))).toBe(false);
      } finally {
        holder.close();
      }
    },
  );

  it(
    '/healthz fails while its embedded server is dead, the bot restarts it, and both ' + 'health routes answer HEAD',
    async () => {
      const bot = start(join(dir, 'restart'));
      const base = `http://127.0.0.1:${portOf(await bot.waitFor(READY))}`;
      expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
      expect((await fetch(`${base}/readyz`, { method: 'HEAD' })).status).toBe(200);
      const serverDataDir = loggedServerDataDir(bot.output());
      const server = postmasterPid(serverDataDir) as number;

      process.kill(server, 'SIGKILL');
      // Health fails from the moment the bot sees its server die until the restarted one runs (a 500 ms pause first).
      await bot.waitFor(/embedded PostgreSQL exited unexpectedly/, 30_000);
      const down = await fetch(`${base}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'failing', problems: ['embedded PostgreSQL is down (restarting)'] });

      await bot.waitFor(/embedded PostgreSQL restarted/, 60_000);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitFor('readiness after the restart', async () => (await fetch(`${base}/readyz`)).status === 200);
      expect(alive(postmasterPid(serverDataDir))).toBe(true);
      bot.child.kill('SIGTERM');
      expect(await bot.exit()).toBe(0);
      expect(alive(postmasterPid(serverDataDir))).toBe(false);
    },
  );
});
