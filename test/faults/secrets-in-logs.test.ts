/**
 * Issue 8, "secrets never in logs". The bot runs with its production wiring
 * (the Vercel and git adapters main builds from the environment, not test
 * doubles), logging at debug level into a captured stream, while everything
 * goes wrong around it: Vercel rate-limits, fails and drops connections,
 * Slack refuses the token once and fails, the database cuts the bot's
 * connections, a forged Slack request and a webhook with a wrong secret
 * arrive, and a git push is refused. Each secret is really used along the way
 * (the stand-ins and the git server accept nothing else); none may appear in
 * any log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SlackStandin, startSlackStandin } from '../../src/standins/slack/server';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import { type Sandbox, createSandbox } from '../git/support/git-fixture';
import { type GitHttpServer, startGitHttpServer } from '../git/support/git-http-server';
import { BOT_TOKEN, SIGNING_SECRET, type TestBot, startTestBot } from '../support/bot';
import { testDatabase, urlForDatabase } from '../support/database';
import { SERVICE, SMOKE } from '../support/incident-world';
import { exampleServiceRaw } from '../support/services';
import { startedIncident, waitForIncident } from './support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(60_000);

const VERCEL_TOKEN = 'vercel_Secr3tT0ken_9f8e7d6c5b4a';
const GIT_TOKEN = 'ghp_GitS3cretT0ken_0123456789abcdef';
const DATABASE_PASSWORD = 'pg-Passw0rd-never-logged';
const WEBHOOK_SECRET = 'webhook-Secr3t-never-logged';

describe('secrets never reach the logs, across rollbacks with failures everywhere', () => {
  const database = testDatabase('faults_secrets');
  const dataDir = mkdtempSync(join(tmpdir(), 'rollback-bot-secrets-'));
  let slack: SlackStandin;
  let vercel: VercelStandin;
  let git: Sandbox;
  let gitServer: GitHttpServer;
  let bot: TestBot;
  let goodCommit: string;
  let badCommit: string;

  beforeAll(async () => {
    await database.create();
    slack = await startSlackStandin({
      token: BOT_TOKEN,
      users: { U0DEVOPS1: { name: 'devops' }, U0CTO0001: { name: 'cto' } },
      channels: { C0PRODALRT: 'prod-alerts' },
    });
    vercel = await startVercelStandin({
      token: VERCEL_TOKEN,
      teamId: 'team_dramal',
      projectName: SERVICE,
      smokeCredentials: SMOKE,
    });
    git = createSandbox();
    goodCommit = git.commit({ 'app.txt': 'v1.9.0\n' }, 'feat: Complete Phase 2 frontend');
    badCommit = git.commit({ 'app.txt': 'v2.0.0-beta\n' }, 'feat(ai): Add AI features');
    git.push();
    git.git(git.origin, 'config', 'http.receivepack', 'true');
    gitServer = await startGitHttpServer(git.root, GIT_TOKEN, git.env);
    vercel.state.addDeployment({ version: '1.9.0', commit: goodCommit, live: true });
    vercel.state.addDeployment({ version: '2.0.0-beta', commit: badCommit, live: true });
    // The password is checked by nothing here (the test server trusts local connections), but the bot is handed it.
    const url = new URL(urlForDatabase(database.name));
    url.password = DATABASE_PASSWORD;
    bot = await startTestBot({
      databaseUrl: url.toString(),
      slack,
      services: [
        exampleServiceRaw({
          vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 10 },
          production: { url: vercel.appUrl, verifyDeadlineSeconds: 5 },
          git: { remote: `${gitServer.url}/origin.git`, branch: 'main', tokenEnv: 'DR_AMAL_GIT_TOKEN' },
          roles: { devopsLead: ['U0DEVOPS1'], cto: ['U0CTO0001'], onCall: [] },
          workingHours: {
            timeZone: 'UTC',
            days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
            start: '00:00',
            end: '00:00',
          },
        }),
      ],
      env: {
        ...git.env,
        VERCEL_TOKEN,
        VERCEL_API_URL: vercel.url,
        DR_AMAL_GIT_TOKEN: GIT_TOKEN,
        WEBHOOK_SECRET,
        SMOKE_TEST_PASSWORD: SMOKE.password,
        ROLLBACK_DATA_DIR: dataDir,
      },
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await slack?.stop();
    await vercel?.stop();
    await gitServer?.close();
    git?.cleanup();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every token, secret and password out of the log lines', async () => {
    // An application rollback through Vercel and Slack failures, with the database cutting the bot off once.
    vercel.state.inject({ kind: 'status', status: 429, retryAfter: '1', match: '/v9/projects' });
    vercel.state.inject({ kind: 'status', status: 503, match: '/v9/projects' });
    vercel.state.inject({ kind: 'drop', match: '/rollback/', afterHandling: true });
    slack.inject('chat.postMessage', { error: 'invalid_auth' }, { status: 500 });
    const app = startedIncident(
      (await bot.sender.slashCommand({ text: `${SERVICE} sign-in returns 500`, userId: 'U0DEVOPS1' })).json() as {
        text: string;
      },
    );
    await rows(
      database.url,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ' +
        'current_database() AND pid <> pg_backend_pid()',
    );
    await waitForIncident(database.url, app, 'resolved');
    await bot.bot.engine.outbox.drain(15_000);

    // A revert whose push the git host refuses (the token is good: fetch and push authenticate).
    git.installHook(
      git.origin,
      'pre-receive',
      'echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1',
    );
    const revert = startedIncident(
      (
        await bot.sender.slashCommand({
          text: `revert ${SERVICE} ${badCommit.slice(0, 7)} AI notes corrupt`,
          userId: 'U0DEVOPS1',
        })
      ).json() as { text: string },
    );
    await waitForIncident(database.url, revert, 'failed');

    // Requests that must be refused: a forged Slack request, a webhook with a wrong secret.
    expect(
      (await bot.sender.slashCommand({ text: 'help', userId: 'U0DEVOPS1' }, { signature: 'v0=forged' })).status,
    ).toBe(401);
    const hook = await fetch(`${bot.baseUrl}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-secret', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(hook.status).toBe(401);

    // Every secret was in use: the servers accept nothing else.
    const basic = Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64');
    expect(gitServer.authorizations).toContain(`Basic ${basic}`);
    expect(vercel.state.production()?.app.version).toBe('1.9.0');

    const logs = bot.logs.join('');
    // The failures were logged (so the check below looks at real failure paths).
    for (const logged of [
      /vercel/i,
      /ratelimit|rate limit|retrying/i,
      /invalid_auth/,
      /database connection lost|cannot reach its database/i,
      /protected/i,
    ])
      expect(logs).toMatch(logged);
    for (const secret of [
      BOT_TOKEN,
      SIGNING_SECRET,
      VERCEL_TOKEN,
      GIT_TOKEN,
      basic,
      DATABASE_PASSWORD,
      WEBHOOK_SECRET,
      SMOKE.password,
    ]) {
      expect({ secret, logged: logs.includes(secret) }).toEqual({ secret, logged: false });
    }
    // Failures are met with handling, not with programming errors (the outbox once choked on pg's -Infinity).
    expect(bot.logs.filter((line) => /"type":"(TypeError|ReferenceError)"/.test(line))).toEqual([]);
  });
});
