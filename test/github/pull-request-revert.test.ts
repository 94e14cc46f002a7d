/**
 * The git adapter's pull-request path without the bot: one pull request per
 * incident however often the revert runs (found by its branch), and what a
 * protected branch tells the push path (Option A names git.via:
 * pull-request; Option B says protection forbids the reset).
 */
import { GitHubAccess } from '../../src/github/github-access';
import type { RollbackError } from '../../src/rollback/errors';
import type { PullRequestProgress } from '../../src/rollback/ports/code';
import { serviceSchema, type ServiceConfig } from '../../src/config/service-schema';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import type { StandinRepo } from '../../src/standins/github/state';
import { GitCodeRollback } from '../../src/git/git-code-rollback';
import { ASKER, INCIDENT, SERVICE, adapterFor, captureLogs, createSandbox, serviceFor, type Sandbox } from '../git/support/git-fixture';
import type { CommitSha } from '../../src/rollback/ids';
import { waitFor } from '../support/bot-process';

function prService(remote: string, merge: 'auto' | 'immediate' | 'manual'): ServiceConfig {
  const base = serviceFor(remote);
  return serviceSchema.parse({ ...base, git: { ...base.git, github: { owner: 'acme', repo: 'web', tokenEnv: 'GH_TOKEN' }, via: 'pull-request', merge } }) as ServiceConfig;
}

describe('revert through a pull request: idempotent, and what protection says', () => {
  let github: GitHubStandin;
  let sb: Sandbox;
  let repo: StandinRepo;
  let bad: CommitSha;
  beforeEach(async () => {
    github = await startGitHubStandin({ token: 'ghp_t' });
    sb = createSandbox();
    sb.commit({ 'app.txt': 'good\n' }, 'good');
    bad = sb.commit({ 'app.txt': 'bad\n' }, 'bad');
    sb.push();
    repo = github.addRepo('acme', 'web', sb.origin);
    repo.protect('main', { requiredApprovals: 1 });
  });
  afterEach(async () => {
    await github.stop();
    sb.cleanup();
  });

  function prAdapter(merge: 'auto' | 'immediate' | 'manual'): GitCodeRollback {
    const access = new GitHubAccess({ env: { GH_TOKEN: 'ghp_t' }, apiUrl: github.url, logger: captureLogs().logger });
    return new GitCodeRollback({
      services: [prService(sb.origin, merge)],
      workspaceDir: sb.workspace,
      logger: captureLogs().logger,
      env: { PATH: sb.env.PATH ?? '', HOME: sb.env.HOME ?? '' },
      pullRequests: (service) => access.pullRequests(service),
      pullRequestPollMs: 20,
    });
  }

  it('runs again after a crash mid-wait and finds the same pull request instead of opening a second', async () => {
    const seen: PullRequestProgress[] = [];
    const crash = new Error('replica died');
    const first = prAdapter('manual').revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: bad },
      onProgress: async (progress) => {
        seen.push(progress);
        throw crash;
      },
    });
    await expect(first).rejects.toBe(crash);
    expect(repo.pulls).toHaveLength(1);
    const headBefore = repo.pulls[0]?.headSha;

    const again = prAdapter('manual').revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: bad }, onProgress: async (p) => void seen.push(p) });
    await waitFor('the second run to wait on the pull request', async () => seen.length >= 2);
    expect(repo.pulls).toHaveLength(1);
    expect(repo.pulls[0]?.headSha).toBe(headBefore);
    repo.review(1, 'alice', 'APPROVED');
    await waitFor('the review to show', async () => seen.at(-1)?.review === 'approved');
    const pull = repo.pulls[0];
    if (!pull) throw new Error('no pull request');
    expect(repo.mergePull(pull, 'merge', 'alice')).toHaveProperty('sha');
    const result = await again;
    expect(result).toMatchObject({ status: 'done', head: sb.originHead(), reverted: [bad], pullRequest: { number: 1, state: 'merged' } });
    expect(seen.map((p) => [p.state, p.review])).toEqual([
      ['open', 'none'],
      ['open', 'none'],
      ['open', 'approved'],
      ['merged', 'approved'],
    ]);

    // A third run for the same incident finds the revert on main: nothing new.
    const third = await prAdapter('manual').revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: bad } });
    expect(third.status).toBe('already-done');
    expect(repo.pulls).toHaveLength(1);
  });

  it('the push path refused by protection says the pull-request way exists', async () => {
    const error = (await adapterFor(sb, [serviceFor(sb.origin)])
      .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: bad } })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error).toMatchObject({ code: 'forbidden', details: { reason: 'protected_branch' } });
    expect(error.fix).toMatch(/git\.via: pull-request/);
  });

  it('Option B on a protected branch: says protection forbids the reset, and that Option A can use a pull request', async () => {
    const good = sb.git(sb.origin, 'rev-parse', 'main~1').trim();
    const approval = { approvalId: 'a1', incidentId: INCIDENT, action: 'git-reset' as const, approvedBy: 'U0CTO' as never, role: 'cto' as const, approvedAt: new Date(), expiresAt: new Date(Date.now() + 600_000) };
    const error = (await adapterFor(sb, [serviceFor(sb.origin)])
      .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: good, approval })
      .catch((e: unknown) => e)) as RollbackError;
    expect(error.message).toMatch(/Branch protection forbids the reset of main/);
    expect(error.fix).toMatch(/Option A .*pull request/);
    expect(sb.originHead()).toBe(bad);
  });
});
