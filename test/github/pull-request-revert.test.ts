/**
 * The git adapter's pull-request path without the bot: merges GitHub refuses
 * (waiting for a person with GitHub's reason, merged once allowed), auto-merge
 * off for the repository, the merge deadline, one pull request per incident
 * however often the revert runs (found by its branch), and what a protected
 * branch tells the push path (Option A names git.via: pull-request; Option B
 * says protection forbids the reset).
 */
import { GitHubAccess } from '../../src/github/github-access';
import type { RollbackError } from '../../src/rollback/errors';
import type { PullRequestProgress } from '../../src/rollback/ports/code';
import { serviceSchema, type ServiceConfig } from '../../src/config/service-schema';
import { type GitHubStandin, startGitHubStandin } from '../../src/standins/github/server';
import type { StandinRepo } from '../../src/standins/github/state';
import { GitCodeRollback, type GitCodeRollbackOptions } from '../../src/git/git-code-rollback';
import { ManualClock } from '../../src/rollback/clock';
import {
  ASKER,
  INCIDENT,
  SERVICE,
  adapterFor,
  captureLogs,
  createSandbox,
  serviceFor,
  type Sandbox,
} from '../git/support/git-fixture';
import type { CommitSha } from '../../src/rollback/ids';
import { waitFor } from '../support/wait';

function prService(remote: string, merge: 'auto' | 'immediate' | 'manual'): ServiceConfig {
  const base = serviceFor(remote);
  return serviceSchema.parse({
    ...base,
    git: { ...base.git, github: { owner: 'acme', repo: 'web', tokenEnv: 'GH_TOKEN' }, via: 'pull-request', merge },
  }) as ServiceConfig;
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

  function prAdapter(
    merge: 'auto' | 'immediate' | 'manual',
    extra: Partial<GitCodeRollbackOptions> = {},
  ): GitCodeRollback {
    const access = new GitHubAccess({ env: { GH_TOKEN: 'ghp_t' }, apiUrl: github.url, logger: captureLogs().logger });
    return new GitCodeRollback({
      services: [prService(sb.origin, merge)],
      workspaceDir: sb.workspace,
      logger: captureLogs().logger,
      env: { PATH: sb.env.PATH ?? '', HOME: sb.env.HOME ?? '' },
      pullRequests: (service) => access.pullRequests(service),
      pullRequestPollMs: 20,
      ...extra,
    });
  }

  it(
    'immediate: when GitHub refuses (a review is required) it says so, then merges by ' + 'itself once approved',
    async () => {
      const seen: PullRequestProgress[] = [];
      const done = prAdapter('immediate').revert({
        service: SERVICE,
        incidentId: INCIDENT,
        requestedBy: ASKER,
        target: { commit: bad },
        onProgress: async (p) => void seen.push(p),
      });
      await waitFor('the refusal to show', async () => seen.at(-1)?.waitingFor);
      expect(seen.at(-1)?.waitingFor).toBe(
        'a person: GitHub would not merge it (At least 1 approving review is required by reviewers with write access.)',
      );
      repo.review(1, 'alice', 'APPROVED');
      await expect(done).resolves.toMatchObject({
        status: 'done',
        pullRequest: { state: 'merged', review: 'approved' },
      });
      expect(repo.pulls[0]?.mergedBy).toBe('rollback-bot[bot]');
    },
  );

  it('auto: a repository without auto-merge gets the pull request merged at once instead', async () => {
    repo.unprotect('main');
    repo.allowAutoMerge = false;
    const result = await prAdapter('auto').revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: bad },
    });
    expect(result).toMatchObject({
      status: 'done',
      head: sb.originHead(),
      pullRequest: { state: 'merged', autoMerge: false },
    });
  });

  it(
    'gives up waiting after git.mergeDeadlineMinutes with a retryable timeout that ' + 'names the pull request',
    async () => {
      const clock = new ManualClock('2026-01-20T15:00:00Z');
      const error = (await prAdapter('manual', { clock, sleep: async () => clock.advance(60 * 60_000) })
        .revert({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: { commit: bad } })
        .catch((e: unknown) => e)) as RollbackError;
      expect(error).toMatchObject({ code: 'timeout', retryable: true });
      expect(error.message).toBe(
        'The revert pull request #1 (https://github.com/acme/web/pull/1) is still open ' +
          'after 240 minutes, waiting for a person to review and merge it.',
      );
      expect(error.fix).toMatch(/the bot finds the same pull request/);
      expect(repo.pulls[0]?.state).toBe('open');
    },
  );

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

    const again = prAdapter('manual').revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: bad },
      onProgress: async (p) => void seen.push(p),
    });
    await waitFor('the second run to wait on the pull request', async () => seen.length >= 2);
    expect(repo.pulls).toHaveLength(1);
    expect(repo.pulls[0]?.headSha).toBe(headBefore);
    repo.review(1, 'alice', 'APPROVED');
    await waitFor('the review to show', async () => seen.at(-1)?.review === 'approved');
    const pull = repo.pulls[0];
    if (!pull) throw new Error('no pull request');
    expect(repo.mergePull(pull, 'merge', 'alice')).toHaveProperty('sha');
    const result = await again;
    expect(result).toMatchObject({
      status: 'done',
      head: sb.originHead(),
      reverted: [bad],
      pullRequest: { number: 1, state: 'merged' },
    });
    expect(seen.map((p) => [p.state, p.review])).toEqual([
      ['open', 'none'],
      ['open', 'none'],
      ['open', 'approved'],
      ['merged', 'approved'],
    ]);

    // A third run for the same incident finds the revert on main: nothing new.
    const third = await prAdapter('manual').revert({
      service: SERVICE,
      incidentId: INCIDENT,
      requestedBy: ASKER,
      target: { commit: bad },
    });
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

  it(
    'Option B on a protected branch: says protection forbids the reset, and that ' + 'Option A can use a pull request',
    async () => {
      const good = sb.git(sb.origin, 'rev-parse', 'main~1').trim();
      const approval = {
        approvalId: 'a1',
        incidentId: INCIDENT,
        action: 'git-reset' as const,
        approvedBy: 'U0CTO' as never,
        role: 'cto' as const,
        approvedAt: new Date(),
        expiresAt: new Date(Date.now() + 600_000),
      };
      const error = (await adapterFor(sb, [serviceFor(sb.origin)])
        .reset({ service: SERVICE, incidentId: INCIDENT, requestedBy: ASKER, target: good, approval })
        .catch((e: unknown) => e)) as RollbackError;
      expect(error.message).toMatch(/Branch protection forbids the reset of main/);
      expect(error.fix).toMatch(/Option A .*pull request/);
      expect(sb.originHead()).toBe(bad);
    },
  );
});
