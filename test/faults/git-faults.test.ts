/**
 * Issue 8, git: /rollback revert through the whole bot when the push is
 * refused (a protected branch), the remote cannot be reached, and the revert
 * conflicts with later work. Each test proves the branch is left as it was,
 * nothing is deployed, the incident fails once with the reason and the fix,
 * and the humans are told in the thread (ROLLBACK FAILED, never COMPLETE).
 * The adapter-level cases (a lost push race redone, a second lost race, a
 * token refused) are in test/git/.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE, useWorld } from '../support/incident-world';
import { expectTimelineWithoutGaps, startedIncident, storedMessage, waitForIncident } from './support/incident-checks';

describe('git faults during a code rollback (revert)', () => {
  const ctx = useWorld('faults_git');

  /** Asks for a revert of the bad commit and waits for the incident to fail; returns what was stored of it. */
  async function revertFails(
    reason: string,
  ): Promise<{ id: string; error: { code: string; message: string; fix?: string }; outcome: string }> {
    const { world, database } = ctx;
    const postsBefore = world.vercel.state.requests.filter((r) => r.method === 'POST').length;
    const productionBefore = world.vercel.state.production()?.id;
    const answer = await world.bot.sender.slashCommand({
      text: `revert ${SERVICE} ${world.history.badCommit.slice(0, 7)} ${reason}`,
      userId: 'U0DEVOPS1',
    });
    const id = startedIncident(answer.json() as { text: string });
    await waitForIncident(database.url, id, 'failed');

    const { steps, timeline } = await expectTimelineWithoutGaps(database.url, id);
    expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
      ['code_revert', 'failed', 1],
      ['deploy', 'pending', 0],
      ['verification', 'pending', 0],
    ]);
    const failed = timeline.find((t) => t.kind === 'step' && t.data.to === 'failed') as unknown as {
      data: { error: { code: string; message: string; fix?: string } };
    };
    // Nothing was deployed or moved on Vercel.
    expect(world.vercel.state.requests.filter((r) => r.method === 'POST').length).toBe(postsBefore);
    expect(world.vercel.state.production()?.id).toBe(productionBefore);
    const outcome = await storedMessage(database.url, id, 'outcome');
    expect(outcome?.threadKey).toBe(`incident:${id}:root`);
    expect(outcome?.text).toMatch(/^❌ ROLLBACK FAILED/);
    return { id, error: failed.data.error, outcome: `${outcome?.text}\n${outcome?.blocks}` };
  }

  it(
    'a push the remote refuses (protected branch): nothing changes on the branch, the ' +
      'thread says why and what to do',
    async () => {
      const { world } = ctx;
      const head = world.git.originHead();
      const hook = join(world.git.origin, 'hooks', 'pre-receive');
      world.git.installHook(
        world.git.origin,
        'pre-receive',
        'echo "error: GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1',
      );
      try {
        const { error, outcome } = await revertFails('protected branch');
        expect(error).toMatchObject({
          code: 'forbidden',
          message: expect.stringMatching(/branch is protected/),
          fix: expect.stringMatching(/branch protection/),
        });
        expect(outcome).toMatch(/branch is protected/);
        expect(world.git.originHead()).toBe(head);
      } finally {
        rmSync(hook, { force: true });
      }
    },
  );

  it('a remote that cannot be reached: a retryable failure named as such, the branch untouched', async () => {
    const { world } = ctx;
    const head = world.git.originHead();
    const away = `${world.git.origin}.away`;
    renameSync(world.git.origin, away);
    try {
      const { error, outcome } = await revertFails('remote down');
      expect(error).toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/cannot be reached/),
        fix: expect.stringMatching(/git\.remote/),
      });
      expect(outcome).toMatch(/cannot be reached/);
    } finally {
      renameSync(away, world.git.origin);
    }
    expect(world.git.originHead()).toBe(head);
  });

  it('a revert that conflicts with later work: aborted, the conflicting file named, nothing pushed', async () => {
    const { world } = ctx;
    world.git.commit({ 'app.txt': 'v2.0.1-hotfix\n' }, 'fix: hotfix on top of the AI release');
    world.git.push();
    const head = world.git.originHead();
    const { error, outcome } = await revertFails('conflicting hotfix');
    expect(error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/app\.txt.*nothing was pushed|nothing was pushed.*app\.txt/),
    });
    expect(error.fix).toMatch(/pull request/);
    expect(outcome).toMatch(/app\.txt/);
    expect(world.git.originHead()).toBe(head);
  });
});
