/**
 * The GitHub adapter's border against the stand-in: secondary rate limits
 * are waited out per retry-after (on an injected sleep), a wait longer than
 * allowed is reported instead, 401/403/404/422 become RollbackErrors that
 * say what to fix, GitHub App auth trades a signed JWT for an installation
 * token, and no token ever reaches the logs.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createGitHubClient } from '../../src/github/client';
import { GitHubPullRequests } from '../../src/github/pull-requests';
import { type RollbackError } from '../../src/rollback/errors';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import { captureLogs, createSandbox, type Sandbox } from '../git/support/git-fixture';

const TOKEN = 'ghp_secrettoken1234567890abcdef';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

describe('GitHub client: rate limits, errors, App auth, no token in logs', () => {
  let github: GitHubStandin;
  let sb: Sandbox;
  beforeAll(async () => {
    github = await startGitHubStandin({
      token: TOKEN,
      app: { id: '4242', installationId: '77', publicKeyPem: keys.publicKey },
    });
    sb = createSandbox();
    sb.commit({ 'a.txt': '1\n' }, 'first');
    sb.push();
    github.addRepo('acme', 'web', sb.origin);
  });
  afterAll(async () => {
    await github.stop();
    sb.cleanup();
  });

  function client(options: { token?: string; maxWaitMs?: number } = {}) {
    const logs = captureLogs();
    const waits: number[] = [];
    const octokit = createGitHubClient({
      access: { tokenEnv: 'GH_TOKEN' },
      env: { GH_TOKEN: options.token ?? TOKEN },
      apiUrl: github.url,
      logger: logs.logger,
      sleep: async (ms) => void waits.push(ms),
      maxWaitMs: options.maxWaitMs,
    });
    return { pulls: new GitHubPullRequests(octokit, { owner: 'acme', repo: 'web' }), waits, logs };
  }

  it('waits out a secondary rate limit for the retry-after GitHub gives, then succeeds', async () => {
    github.faults.push({
      match: /GET \/repos\/acme\/web\/pulls$/,
      status: 403,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '7' },
      times: 2,
    });
    const { pulls, waits, logs } = client();
    await expect(pulls.findByHead('rollback/none')).resolves.toBeUndefined();
    expect(waits).toEqual([7000, 7000]);
    expect(logs.text()).toContain('GitHub rate limit');
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('reports a rate limit whose wait is longer than allowed, as retryable', async () => {
    github.faults.push({
      match: /GET \/repos\/acme\/web\/pulls$/,
      status: 429,
      message: 'API rate limit exceeded',
      headers: { 'retry-after': '3600' },
    });
    const { pulls, waits } = client({ maxWaitMs: 60_000 });
    const error = (await pulls.findByHead('x').catch((e: unknown) => e)) as RollbackError;
    expect(waits).toEqual([]);
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(error.fix).toMatch(/in a few minutes/);
  });

  it('names the credentials on a 401 and never shows the token', async () => {
    const { pulls, logs } = client({ token: 'ghp_wrong_token_value' });
    const error = (await pulls.read(1).catch((e: unknown) => e)) as RollbackError;
    expect(error).toMatchObject({ code: 'forbidden', details: { status: 401, githubMessage: 'Bad credentials' } });
    expect(error.fix).toMatch(/git\.github\.tokenEnv/);
    expect(`${error.message}${error.fix}${logs.text()}`).not.toContain('ghp_wrong_token_value');
  });

  it('turns a 403 and a 404 into errors that say what to check', async () => {
    github.faults.push({
      match: /POST \/repos\/acme\/web\/pulls$/,
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const { pulls } = client();
    const forbidden = (await pulls
      .open({ head: 'x', base: 'main', title: 't', body: '' })
      .catch((e: unknown) => e)) as RollbackError;
    expect(forbidden).toMatchObject({ code: 'forbidden', retryable: false });
    expect(forbidden.message).toContain('Resource not accessible by integration');
    expect(forbidden.fix).toMatch(/pull requests \(write\)/);
    const missing = (await new GitHubPullRequests(
      createGitHubClient({
        access: { tokenEnv: 'T' },
        env: { T: TOKEN },
        apiUrl: github.url,
        logger: captureLogs().logger,
      }),
      { owner: 'acme', repo: 'nope' },
    )
      .read(1)
      .catch((e: unknown) => e)) as RollbackError;
    expect(missing).toMatchObject({ code: 'not_found' });
    expect(missing.fix).toMatch(/Check owner and repo \(acme\/nope\)/);
  });

  it('turns a 422 into bad input with GitHub’s own reason', async () => {
    const { pulls } = client();
    const error = (await pulls
      .open({ head: 'no-such-branch', base: 'main', title: 't', body: '' })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error).toMatchObject({ code: 'bad_input', details: { status: 422 } });
    expect(error.message).toContain('Validation Failed');
  });

  it('authenticates as a GitHub App installation (signed JWT → installation token)', async () => {
    const octokit = createGitHubClient({
      access: { app: { appIdEnv: 'APP_ID', privateKeyEnv: 'APP_KEY', installationIdEnv: 'APP_INSTALLATION' } },
      env: { APP_ID: '4242', APP_KEY: keys.privateKey, APP_INSTALLATION: '77' },
      apiUrl: github.url,
      logger: captureLogs().logger,
    });
    await expect(
      new GitHubPullRequests(octokit, { owner: 'acme', repo: 'web' }).findByHead('none'),
    ).resolves.toBeUndefined();
    expect(github.calls.some((c) => c.path === '/app/installations/77/access_tokens' && c.status === 201)).toBe(true);
  });

  it('refuses to start without the credentials variable, naming it', () => {
    expect(() =>
      createGitHubClient({
        access: { tokenEnv: 'MISSING_TOKEN' },
        env: {},
        apiUrl: github.url,
        logger: captureLogs().logger,
      }),
    ).toThrow(/MISSING_TOKEN/);
  });
});
