/**
 * The rollback-bot command as a newcomer meets it: real processes, exit codes,
 * messages that say what to do, and a graceful stop on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startSlackStandin } from '../../src/standins/slack/server';
import { BOT_TOKEN } from '../support/bot';
import { testDatabase } from '../support/database';
import { EXAMPLE_CONFIG_PATH, exampleServiceRaw, servicesYaml } from '../support/services';
import { CLI, cleanEnv, runCli, waitForOutput } from './cli-support';

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
    expect(result.stderr).toMatch(
      /2\. Cannot read the services file .*: there is no such file\. Copy rollback\.config\.example\.yaml/,
    );
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
      writeFileSync(
        join(folder, 'migration.sql'),
        `ALTER TABLE "User" DROP COLUMN "c${i}";\nCREATE INDEX "i${i}" ON "User"("x");\n`,
      );
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
    // A working folder others may pass (mkdtemp makes it private; as root that case keeps the files elsewhere: see
    // test/process).
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
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await client.end();
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await slack.stop();
    }
  });

  it(
    'a service whose credentials are unset does not stop the bot: each variable is ' +
      'warned about at start, before the database opens',
    async () => {
      const slack = await startSlackStandin({ token: BOT_TOKEN, channels: { C0PRODALRT: 'prod-alerts' } });
      const child = spawn(process.execPath, [CLI, 'start'], {
        env: cleanEnv({
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: 'secret',
          SLACK_API_URL: slack.apiUrl,
          DATABASE_URL: database.url,
          ROLLBACK_CONFIG: EXAMPLE_CONFIG_PATH,
          PORT: '0',
        }),
      });
      try {
        const out = await waitForOutput(child, /rollback-bot is ready/);
        // Warned before the database is opened, one line per variable, naming it.
        const warning = out.indexOf(
          '"msg":"DR_AMAL_GIT_TOKEN is not set (git.tokenEnv): git reverts of ' +
            'dr-amal-clinical-os are unavailable until it is; everything else runs."',
        );
        expect(warning).toBeGreaterThan(-1);
        expect(out).toContain(
          '"msg":"VERCEL_TOKEN is not set (the Vercel API token): application rollbacks of ' +
            'dr-amal-clinical-os are unavailable',
        );
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
    },
  );
});
