/**
 * `/rollback preflight` for a service on GitHub: the candidate commit's
 * check runs and commit statuses answer "All tests passing (at least 80%
 * pass rate)" and "TypeScript compilation successful" (checks chosen by
 * name pattern), and "Rollback plan documented" is the plan the bot would
 * follow, with a link to the changes. Missing, failing and passing CI.
 */
import { SERVICE } from '../support/incident-world';
import { useGitHubWorld } from './support';

interface Answer {
  blocks: { text?: { text: string } }[];
}

describe('/rollback preflight reads CI from GitHub', () => {
  const ctx = useGitHubWorld('gh_preflight', {
    merge: 'auto',
    service: { git: { checks: { tests: ['^test'], typescript: ['tsc', 'typecheck'] } } },
  });

  async function preflight(responseId: string): Promise<string> {
    await ctx.current.world.bot.sender.slashCommand({ text: `preflight ${SERVICE}`, userId: 'U0NOBODY1', responseId });
    const answer = (await ctx.current.world.slack.waitForResponse((p) => p.id === responseId, 20_000))
      .body as unknown as Answer;
    return answer.blocks.map((b) => b.text?.text ?? '').join('\n');
  }

  it('fails both CI items when the candidate has no checks at all', async () => {
    const body = await preflight('ci-missing');
    const short = ctx.current.world.history.badCommit.slice(0, 7);
    expect(body).toContain(`❌ *All tests passing* FAILED: No CI check on ${short} is named like /^test/.`);
    expect(body).toContain(
      `❌ *TypeScript compilation successful* FAILED: No CI check on ${short} is named like /tsc/ or /typecheck/.`,
    );
    expect(body).toMatch(/_Fix:_ Run CI on the candidate commit, or set git\.checks/);
  });

  it('fails tests below the 80% pass rate and passes a green typecheck', async () => {
    const { repo, world } = ctx.current;
    repo.reportCheck(world.history.badCommit, 'test (node 20)', 'failure', { title: '30 passed, 20 failed' });
    repo.reportCheck(world.history.badCommit, 'typecheck', 'success');
    const body = await preflight('ci-failing');
    expect(body).toContain(
      "❌ *All tests passing* FAILED: 30 of 50 tests passed (60%): below the runbook's 80% pass rate.",
    );
    expect(body).toMatch(/✅ \*TypeScript compilation successful\* passed: typecheck passed on [0-9a-f]{7}\./);
  });

  it('passes at 90% and with a commit status for tsc, and documents the rollback plan with a link', async () => {
    const { repo, world } = ctx.current;
    const sha = world.history.badCommit;
    repo.reportCheck(sha, 'test (node 20)', 'failure', { summary: 'Tests: 5 failed, 45 passed, 50 total' });
    repo.reportCheck(sha, 'typecheck', 'skipped');
    repo.reportStatus(sha, 'ci/tsc', 'success', 'tsc --noEmit');
    const body = await preflight('ci-passing');
    expect(body).toContain('✅ *All tests passing* passed: 45 of 50 tests passed (90%, at least 80% required).');
    expect(body).toMatch(/✅ \*TypeScript compilation successful\* passed: typecheck, ci\/tsc passed/);
    expect(body).toMatch(
      new RegExp(
        /✅ \*Rollback plan documented\* passed: If [0-9a-f]{7} misbehaves, the bot rolls back as below\. /.source +
          /Changes: https:\/\/github\.com\/dr-amal\/clinical-os\/compare\//.source,
      ),
    );
    expect(body).toContain('through a pull request');
  });

  it('a still-running test check fails the item until CI finishes', async () => {
    const { repo, world } = ctx.current;
    repo.reportCheck(world.history.badCommit, 'test (node 20)', null);
    const body = await preflight('ci-running');
    expect(body).toMatch(
      /❌ \*All tests passing\* FAILED: 1 of 1 check\(s\) on [0-9a-f]{7} are still running: test \(node 20\)\./,
    );
  });
});
