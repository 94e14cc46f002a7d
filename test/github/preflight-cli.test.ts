/**
 * `rollback-bot preflight` in CI for a service on GitHub: the candidate's
 * check runs and statuses decide "All tests passing" and "TypeScript
 * compilation successful", the exit code follows them, and the GitHub token
 * never appears in what it prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/preflight';
import { ManualClock } from '../../src/rollback/clock';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import type { StandinRepo } from '../../src/standins/github/state';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import { type Sandbox, createSandbox } from '../git/support/git-fixture';
import { exampleServiceRaw, servicesYaml } from '../support/services';

const INSIDE_WINDOW = '2026-01-17T04:30:00Z';
const TOKEN = 'ghp_cli_secret_token_123456';

describe('rollback-bot preflight reads CI from GitHub', () => {
  let sandbox: Sandbox;
  let vercel: VercelStandin;
  let github: GitHubStandin;
  let repo: StandinRepo;
  let env: NodeJS.ProcessEnv;
  let candidate: string;

  beforeAll(async () => {
    sandbox = createSandbox();
    vercel = await startVercelStandin({ teamId: 'team_dramal', projectName: 'dr-amal-clinical-os' });
    github = await startGitHubStandin({ token: TOKEN });
    const previous = sandbox.commit({ 'a.txt': '1\n' }, 'one');
    candidate = sandbox.commit({ 'a.txt': '2\n' }, 'two');
    sandbox.push();
    vercel.state.addDeployment({ version: '1.9.0', commit: previous, live: true });
    vercel.state.addDeployment({ version: '2.0.0', commit: candidate, live: true });
    repo = github.addRepo('dr-amal', 'clinical-os', sandbox.origin);
    const raw = exampleServiceRaw({
      git: { remote: sandbox.origin, github: { owner: 'dr-amal', repo: 'clinical-os', tokenEnv: 'GH_TOKEN' } },
      production: { url: vercel.appUrl },
    });
    delete (raw.git as Record<string, unknown>).tokenEnv;
    const configPath = join(sandbox.root, 'rollback.config.yaml');
    writeFileSync(configPath, servicesYaml([raw]));
    mkdirSync(join(sandbox.root, 'data'));
    env = {
      PATH: sandbox.env.PATH,
      HOME: sandbox.env.HOME,
      ROLLBACK_CONFIG: configPath,
      ROLLBACK_DATA_DIR: join(sandbox.root, 'data'),
      VERCEL_TOKEN: vercel.token,
      VERCEL_API_URL: vercel.url,
      GITHUB_API_URL: github.url,
      GH_TOKEN: TOKEN,
    };
  });
  afterAll(async () => {
    await vercel.stop();
    await github.stop();
    sandbox.cleanup();
  });

  async function preflight(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      argv,
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env },
      { clock: new ManualClock(INSIDE_WINDOW) },
    );
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('exits 1 while the tests fail, 0 once CI is green, and never prints the token', async () => {
    repo.reportCheck(candidate, 'test', 'failure', { title: '10 passed, 40 failed' });
    repo.reportStatus(candidate, 'ci/typecheck', 'success');
    const failing = await preflight(['dr-amal-clinical-os']);
    expect(failing.stdout).toContain(
      "[FAIL] All tests passing: 10 of 50 tests passed (20%): below the runbook's 80% pass rate.",
    );
    expect(failing.stdout).toMatch(/\[PASS\] TypeScript compilation successful: ci\/typecheck passed/);
    expect(failing.code).toBe(1);

    repo.reportCheck(candidate, 'test', 'success', { title: '50 passed' });
    const green = await preflight(['dr-amal-clinical-os', '--format', 'json']);
    const report = JSON.parse(green.stdout) as { passed: boolean; checks: { id: string; status: string }[] };
    expect(report.checks.filter((c) => ['tests', 'typescript', 'rollback-plan'].includes(c.id))).toEqual([
      expect.objectContaining({ id: 'tests', status: 'pass' }),
      expect.objectContaining({ id: 'typescript', status: 'pass' }),
      expect.objectContaining({ id: 'rollback-plan', status: 'pass' }),
    ]);
    expect(green.code).toBe(0);
    expect(`${failing.stdout}${failing.stderr}${green.stdout}${green.stderr}`).not.toContain(TOKEN);
  });

  it('a GitHub that refuses the token fails both CI items with the fix, not a stack trace', async () => {
    const out: string[] = [];
    const code = await run(
      ['dr-amal-clinical-os'],
      { stdout: (s) => out.push(s), stderr: (s) => out.push(s), env: { ...env, GH_TOKEN: 'ghp_wrong' } },
      { clock: new ManualClock(INSIDE_WINDOW) },
    );
    expect(code).toBe(1);
    expect(out.join('')).toMatch(
      new RegExp(
        /\[FAIL\] All tests passing: Could not read the CI results: /.source +
          /GitHub refused to read the checks of [0-9a-f]{12} on dr-amal\/clinical-os \(401: Bad credentials\)\./.source,
      ),
    );
    expect(out.join('')).toMatch(/fix: Check the token \(git\.github\.tokenEnv\)/);
  });
});
