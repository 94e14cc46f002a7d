/**
 * Starts the real bot in-process (its real HTTP endpoint and store) against
 * the Slack stand-in and a fresh database, as `rollback-bot start` would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { type RunningBot, startBot } from '../../src/main';
import { SlackRequestSender } from '../../src/standins/slack/signed-requests';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { exampleServiceRaw, servicesYaml } from './services';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token-abcdef';

export interface TestBot {
  bot: RunningBot;
  slack: SlackStandin;
  sender: SlackRequestSender;
  baseUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestBot(options: {
  databaseUrl: string;
  services?: Record<string, unknown>[];
  slack?: SlackStandin;
  env?: Record<string, string>;
  wiring?: Parameters<typeof startBot>[2];
}): Promise<TestBot> {
  const slack =
    options.slack ??
    (await startSlackStandin({
      token: BOT_TOKEN,
      users: {
        U0DEVOPS1: { name: 'devops' },
        U0CTO0001: { name: 'cto' },
        U0DBADMIN: { name: 'dba' },
        U0NOBODY1: { name: 'someone' },
      },
      channels: { C0PRODALRT: 'prod-alerts' },
    }));
  const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-config-'));
  const configPath = join(dir, 'rollback.config.yaml');
  writeFileSync(configPath, servicesYaml(options.services ?? [exampleServiceRaw()]));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: options.databaseUrl,
    ROLLBACK_CONFIG: configPath,
    PORT: '0',
    DR_AMAL_GIT_TOKEN: 'test-git-token',
    ...options.env,
  };
  const bot = await startBot(env, createLogger('debug', sink), options.wiring);
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  const sender = new SlackRequestSender(`${baseUrl}/slack/events`, SIGNING_SECRET, {
    teamId: 'T0STANDIN',
    responseUrl: slack.responseUrl,
  });
  return {
    bot,
    slack,
    sender,
    baseUrl,
    logs,
    stop: async () => {
      await bot.stop();
      if (!options.slack) await slack.stop();
    },
  };
}
