/**
 * When a pushed fix is live: only when Vercel assigns the production domains
 * to it, some polls after READY (the stand-in's default: 3), as @vercel/client
 * decides. BLOCKED builds end at once with their seat block in words.
 */
import type { CommitSha } from '../../src/rollback/ids';
import type { DeployProgress } from '../../src/rollback/ports/application';
import { AWAITING_DOMAINS, pollDelay } from '../../src/vercel/follow-deployment';
import { type Harness, seedHistory, sha, startHarness } from './harness';

const commit = sha('e4f5a6b') as CommitSha;

describe('a pushed fix goes live when Vercel assigns its production domains', () => {
  let h: Harness;
  const states = (progress: DeployProgress[]): string[] =>
    progress.flatMap((p) => (p.phase === 'state' ? [p.state] : []));

  beforeEach(async () => {
    h = await startHarness({ vercel: { deploysOnPush: true, buildDeadlineSeconds: 120 } });
    seedHistory(h);
  });
  afterEach(() => h.stop());

  it(
    '"READY, domains not yet assigned" is progress: it follows the build until the ' + 'domains move, then says live',
    async () => {
      const before = h.standin.state.production()?.id;
      const pushed = h.standin.state.pushCommit(commit, { version: '2.0.1' });
      const progress: DeployProgress[] = [];
      const result = await h.app.deployCommit({
        service: h.service,
        commitSha: commit,
        onProgress: (p) => progress.push(p),
      });
      expect(result).toMatchObject({ state: 'READY', live: true, deploymentId: pushed.id });
      expect(states(progress)).toEqual(['BUILDING', AWAITING_DOMAINS, 'READY']);
      expect(h.standin.state.production()?.id).toBe(pushed.id);
      expect(before).not.toBe(pushed.id);
    },
  );

  it('finds the pushed build with the list endpoint sha filter, not a scan of recent deployments', async () => {
    h.standin.state.pushCommit(commit);
    await h.app.deployCommit({ service: h.service, commitSha: commit });
    const lists = h.standin.state.requests.filter((r) => r.path === '/v7/deployments');
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.sha === commit && r.query.target === 'production')).toBe(true);
  });

  it(
    'says "timeout" (Vercel undecided, not FAILED) when the domains are still ' + 'unassigned at the deadline',
    async () => {
      h.standin.state.aliasPlan = { afterPolls: 10_000, outcome: 'assigned' };
      h.standin.state.pushCommit(commit);
      const started = h.clock.now().getTime();
      const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
      expect(result).toMatchObject({ state: 'timeout', live: false });
      expect(result.explanation).toContain('had not assigned the production domains');
      expect(result.explanation).toContain('Vercel has not decided');
      expect(h.clock.now().getTime() - started).toBe(120_000);
    },
  );

  it.each([
    ['alias-error', 'could not assign the production domains'],
    ['check-failed', 'deployment-alias check failed'],
  ] as const)('ends not live when Vercel decides the domains cannot move (%s)', async (outcome, said) => {
    h.standin.state.aliasPlan = { afterPolls: 2, outcome };
    const before = h.standin.state.production()?.id;
    h.standin.state.pushCommit(commit);
    const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
    expect(result).toMatchObject({ state: 'READY', live: false });
    expect(result.explanation).toContain(said);
    expect(result.explanation).toContain(`promote ${result.deploymentId}`);
    expect(h.standin.state.production()?.id).toBe(before);
  });

  it.each([
    ['TEAM_ACCESS_REQUIRED', 'not a member of the Vercel team'],
    ['COMMIT_AUTHOR_REQUIRED', "could not tie the commit's author to a Vercel user"],
  ] as const)('BLOCKED (%s) is final at once, in words, with the fix', async (blockCode, words) => {
    h.standin.state.buildPlan = { outcome: 'BLOCKED', readsPerStep: 1, blockCode };
    h.standin.state.pushCommit(commit);
    const started = h.clock.now().getTime();
    const result = await h.app.deployCommit({ service: h.service, commitSha: commit });
    expect(result).toMatchObject({ state: 'BLOCKED', live: false });
    expect(result.explanation).toContain(words);
    expect(result.explanation).toContain('git.committer');
    expect(result.explanation).toContain('upload path');
    expect(result.explanation).not.toContain('goes on at Vercel');
    expect(h.clock.now().getTime() - started).toBeLessThan(5_000);
  });

  it(
    'backs off while waiting as @vercel/client does: 1 s, then 5 s after 15 s, 15 s ' +
      'after a minute, 30 s after five',
    async () => {
      expect([0, 15_000, 15_001, 60_000, 60_001, 300_000, 300_001].map((t) => pollDelay(t, 1000))).toEqual([
        1000, 1000, 5000, 5000, 15_000, 15_000, 30_000,
      ]);
      // A faster base keeps the same shape (the drill polls every 250 ms).
      expect([0, 3_751, 15_001, 75_001].map((t) => pollDelay(t, 250))).toEqual([250, 1250, 3750, 7500]);
      h.standin.state.aliasPlan = { afterPolls: 10_000, outcome: 'assigned' };
      h.standin.state.pushCommit(commit);
      await h.app.deployCommit({ service: h.service, commitSha: commit });
      // The last wait is cut to end at the deadline.
      expect(new Set(h.sleeps.slice(0, -1))).toEqual(new Set([1000, 5000, 15_000]));
      expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(120_000);
      // 120 s followed in about 24 polls, not 120.
      expect(h.sleeps.length).toBeLessThan(30);
    },
  );
});
