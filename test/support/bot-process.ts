/**
 * The bot as a real child process (`node bin/rollback-bot.js start`), for tests
 * that must kill it (SIGKILL) or pause it (SIGSTOP) at a precise moment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SlackRequestSender } from '../../src/standins/slack/signed-requests';
import type { SlackStandin } from '../../src/standins/slack/server';
import { BOT_TOKEN, SIGNING_SECRET } from './bot';

const ROOT = join(__dirname, '../..');

export interface BotProcess {
  readonly pid: number;
  readonly sender: SlackRequestSender;
  /** SIGSTOP / SIGCONT: holds the process still while a test checks that it stands at a boundary. */
  freeze(): void;
  resume(): void;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * The environment of a `rollback-bot start` process against the stand-ins: git
 * isolated from the machine's config, Slack and Vercel at their stand-ins.
 */
export function botProcessEnv(input: {
  git: { env: NodeJS.ProcessEnv };
  slack: SlackStandin;
  vercel: { url: string; token: string };
  databaseUrl: string;
  dir: string;
  configPath: string;
  smokePassword: string;
}): Record<string, string> {
  return {
    PATH: input.git.env.PATH ?? '/usr/bin:/bin',
    HOME: input.git.env.HOME ?? input.dir,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: input.slack.apiUrl,
    VERCEL_TOKEN: input.vercel.token,
    VERCEL_API_URL: input.vercel.url,
    DATABASE_URL: input.databaseUrl,
    ROLLBACK_CONFIG: input.configPath,
    ROLLBACK_DATA_DIR: join(input.dir, 'data'),
    PORT: '0',
    SMOKE_TEST_PASSWORD: input.smokePassword,
    // A killed process's running step is reconciled once its lease expires: keep the wait short in tests.
    STEP_LEASE_SECONDS: '1',
  };
}

/** Starts `rollback-bot start` and resolves once it logs that it is ready (with its port). */
export async function spawnBot(
  env: Record<string, string>,
  slack: SlackStandin,
  spawned: BotProcess[] = [],
): Promise<BotProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/rollback-bot.js'), 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start within 60 s:\n${output}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /"port":(\d+)[^\n]*"msg":"rollback-bot is ready"/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited (${code}) before it was ready:\n${output}`));
    });
  });
  const sender = new SlackRequestSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, {
    teamId: 'T0STANDIN',
    responseUrl: slack.responseUrl,
  });
  const bot: BotProcess = {
    pid: child.pid as number,
    sender,
    freeze: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    kill: async () => {
      child.kill('SIGKILL');
      await exitOf(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitOf(child);
      clearTimeout(forced);
    },
  };
  spawned.push(bot);
  return bot;
}
