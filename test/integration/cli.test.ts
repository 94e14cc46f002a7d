/**
 * The rollback-bot command as a newcomer meets it: real processes, exit codes,
 * messages that say what to do, and a graceful stop on SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startSlackStandin } from '../../src/standins/slack/server';
import { freePort } from '../../src/store/embedded';
import { BOT_TOKEN } from '../support/bot';
import { testDatabase } from '../support/database';
import * as cliMain from '../../src/cli';
import { EXAMPLE_CONFIG_PATH, exampleServiceRaw, servicesYaml } from '../support/services';

const CLI = join(__dirname, '../../bin/rollback-bot.js');

// Each spawned command compiles the sources with ts-node: tens of seconds on a loaded machine.
jest.setTimeout(180_000);
const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 150_000 });
}

/** The same runCli the binary calls, in this process: for cases where a spawn per case would take minutes. */
async function inProcess(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await cliMain.runCli(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env });
  return { code, stdout, stderr };
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

describe('rollback-bot command', () => {
  const database = testDatabase('cli');
  beforeAll(database.create);
  afterAll(database.drop);

  it('prints next steps, not a stack trace, when Slack tokens and the services file are missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-fresh-'));
    const result = runCli(['start'], { ROLLBACK_CONFIG: join(dir, 'rollback.config.yaml') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Next steps:');
    expect(result.stderr).toMatch(/1\. Slack tokens are not set\..*manifests\/slack-app\.http\.yaml/);
    expect(result.stderr).toMatch(/2\. Cannot read the services file .*: there is no such file\. Copy rollback\.config\.example\.yaml/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to start on a bad services file and names the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-bad-'));
    const path = join(dir, 'rollback.config.yaml');
    writeFileSync(path, servicesYaml([exampleServiceRaw({ production: { url: 'ftp://nope' } })]));
    const result = runCli(['start'], { ROLLBACK_CONFIG: path, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/services\.0\.production\.url: expected an http\(s\) URL/);
  });

  it('rejects an unknown command with usage and exit 2', () => {
    const result = runCli(['frobnicate'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
  });

  it('lint-migrations is a subcommand: exit 1 on a dangerous migration, JSON on request', () => {
    const fixtures = join(__dirname, '../fixtures/schema/app/migrations');
    const result = runCli(['lint-migrations', fixtures, '--format', 'json'], {});
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { files: { verdict: string }[] };
    expect(report.files.map((f) => f.verdict)).toContain('dangerous');
  });

  it('writes a large report whole to a pipe before exiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-many-'));
    for (let i = 0; i < 1000; i += 1) {
      const folder = join(dir, `2026${String(i).padStart(4, '0')}_m`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'migration.sql'), `ALTER TABLE "User" DROP COLUMN "c${i}";\nCREATE INDEX "i${i}" ON "User"("x");\n`);
    }
    const child = spawn(process.execPath, [CLI, 'lint-migrations', dir, '--format', 'json'], { env: cleanEnv({}) });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(out.length).toBeGreaterThan(500_000);
    expect((JSON.parse(out) as { files: unknown[] }).files).toHaveLength(1000);
  });

  it('migrate applies the bot tables and is idempotent', async () => {
    const first = runCli(['migrate'], { DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Applied: 001_initial');
    const second = runCli(['migrate'], { DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    expect(second.stdout).toContain('up to date');
  });

  it('without DATABASE_URL runs on an embedded PostgreSQL that persists under the data folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-embedded-'));
    // A working folder others may pass (mkdtemp makes it private; as root that case keeps the files elsewhere: see test/process).
    chmodSync(dataDir, 0o755);
    const first = runCli(['migrate'], { ROLLBACK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('Applied: 001_initial');
    const second = runCli(['migrate'], { ROLLBACK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(second.stdout).toContain('up to date');
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'postgres.lock'))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, serves, and on SIGTERM stops taking work, closes its database connections and exits 0', async () => {
    const slack = await startSlackStandin({ token: BOT_TOKEN, channels: { C0PRODALRT: 'prod-alerts' } });
    // Port 0: the system picks a free one and the ready line names it (a random port could be taken meanwhile).
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: cleanEnv({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: database.url,
        ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
        PORT: '0',
        DR_AMAL_GIT_TOKEN: 'test-git-token',
      }),
    });
    try {
      const ready = await waitForOutput(child, /"port":\d+[^\n]*rollback-bot is ready/);
      const port = Number(/"port":(\d+)[^\n]*rollback-bot is ready/.exec(ready)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const stopping = waitForOutput(child, /"msg":"stopped"/);
      child.kill('SIGTERM');
      await stopping;
      expect(await exited).toBe(0);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      await client.end();
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await slack.stop();
    }
  });
  describe('conventions', () => {
    const commands = Object.keys(cliMain.SUBCOMMANDS);

    it('--version prints the package version', () => {
      const result = runCli(['--version'], {});
      expect(result.status).toBe(0);
      const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
      expect(result.stdout).toBe(`rollback-bot ${version}\n`);
    });

    it.each(commands)('%s --help and -h print its help, exit 0 and do nothing else; help %s prints the same', async (command) => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'rollback-bot-help-')), 'data');
      // Enough for start and migrate to do real work, were --help not honoured.
      const env = { ROLLBACK_DATA_DIR: dataDir, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH, PORT: '0' };
      const long = await inProcess([command, '--help'], env);
      expect(long.code).toBe(0);
      expect(long.stdout).toMatch(new RegExp(`^Usage: rollback-bot ${command}`));
      expect(long.stderr).toBe('');
      expect(await inProcess([command, '-h'], env)).toEqual(long);
      expect(await inProcess(['help', command], env)).toEqual(long);
      expect(existsSync(dataDir)).toBe(false);
    });

    it('start --help as a real process prints its help and exits 0 at once', () => {
      const result = runCli(['start', '--help'], { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: rollback-bot start/);
    });

    it('help of an unknown command says so with exit 2', async () => {
      const result = await inProcess(['help', 'frobnicate'], {});
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Unknown command "frobnicate"');
    });
  });

  describe('start-up errors name what to fix, without a stack trace', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH, PORT: '0', LOG_LEVEL: 'silent' };
    const failsWith = async (env: Record<string, string>, message: string | RegExp, command = 'start'): Promise<void> => {
      const result = await inProcess([command], env);
      expect(result.code).toBe(1);
      if (typeof message === 'string') expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    };

    it('an invalid LOG_LEVEL, checked before the logger exists (a real process: nothing but the message on stderr)', () => {
      const result = runCli(['start'], { ...base, LOG_LEVEL: 'loud' });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('rollback-bot cannot start.\nInvalid environment:\nLOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent Fix the variables named above and start again.\n');
      expect(result.stdout).toBe('');
    });

    it('an invalid LOG_LEVEL in-process too', async () => {
      await failsWith({ ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent');
    });

    it('a bot token without a signing secret', async () => {
      await failsWith({ ...base, SLACK_SIGNING_SECRET: '' }, 'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not');
    });

    it('a DATABASE_URL that is not a URL, without echoing it', async () => {
      const result = await inProcess(['start'], { ...base, DATABASE_URL: 'host=db password=hunter2' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DATABASE_URL: expected a URL such as postgres://user:password@host:5432/database');
      expect(result.stderr).not.toContain('hunter2');
    });

    it('an unreachable database, naming host and port', async () => {
      // A port nothing listens on (just released by the system), so the refusal is certain.
      const port = await freePort();
      await failsWith({ ...base, DATABASE_URL: `postgres://bot@127.0.0.1:${port}/bot` }, `Cannot reach the database of DATABASE_URL at 127.0.0.1:${port} (ECONNREFUSED).`);
    });

    it('a services file that exists but cannot be read says so (not "copy the example")', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'rollback-bot-config-dir-'));
      const result = await inProcess(['start'], { ...base, ROLLBACK_CONFIG: folder });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`The services file ${folder} exists but cannot be read (EISDIR). ROLLBACK_CONFIG must name a file, not a folder.`);
      expect(result.stderr).not.toContain('Copy rollback.config.example.yaml');
    });

    it('a data folder the bot cannot write names the user that needs access', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'rollback-bot-nodir-')), 'a-file');
      writeFileSync(file, '');
      const user = userInfo();
      await failsWith({ ...base, ROLLBACK_DATA_DIR: join(file, 'data') }, `The data folder ${join(file, 'data')} is not writable by the user the bot runs as (${user.username}, uid ${user.uid})`);
      await failsWith({ ROLLBACK_DATA_DIR: join(file, 'data') }, 'In Docker the image runs as "node" (uid 1000)', 'migrate');
    });
  });

  it('a service whose credentials are unset does not stop the bot: each variable is warned about at start, before the database opens', async () => {
    const slack = await startSlackStandin({ token: BOT_TOKEN, channels: { C0PRODALRT: 'prod-alerts' } });
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: cleanEnv({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: slack.apiUrl, DATABASE_URL: database.url, ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH, PORT: '0' }),
    });
    try {
      const out = await waitForOutput(child, /rollback-bot is ready/);
      // Warned before the database is opened, one line per variable, naming it.
      const warning = out.indexOf('"msg":"DR_AMAL_GIT_TOKEN is not set (git.tokenEnv): git reverts of dr-amal-clinical-os are unavailable until it is; everything else runs."');
      expect(warning).toBeGreaterThan(-1);
      expect(out).toContain('"msg":"VERCEL_TOKEN is not set (the Vercel API token): application rollbacks of dr-amal-clinical-os are unavailable');
      // A feature flag's token, in the same words (the example's ai-notes reads back with EDGE_CONFIG_READ_TOKEN).
      expect(out).toContain(
        '"msg":"EDGE_CONFIG_READ_TOKEN is not set (flag ai-notes, edgeConfig.readTokenEnv): feature flags of ' +
          'dr-amal-clinical-os are unavailable until it is; everything else runs."',
      );
      expect(warning).toBeLessThan(out.search(/applied migration|up to date|"msg":"rollback-bot is ready"/));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await slack.stop();
    }
  });
});
