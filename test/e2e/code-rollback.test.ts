/**
 * /rollback revert end to end: the bad commit is reverted on the real git
 * origin (Option A), Vercel's git integration builds the pushed commit (the
 * stand-in plays it when the branch head moves), production is verified on
 * the new build, and only then ROLLBACK COMPLETE. Asked again for the same
 * incident's commit, the branch gets no second revert.
 */
import { SERVICE, useWorld } from '../support/incident-world';
import { waitFor } from '../support/wait';

describe('code rollback with git revert', () => {
  const ctx = useWorld('e2e_revert');

  it('reverts the bad commit, waits for its build, verifies it, and says COMPLETE', async () => {
    const { world } = ctx;
    const bad = world.history.badCommit;
    const answer = (
      await world.bot.sender.slashCommand({
        text: `revert ${SERVICE} ${bad.slice(0, 7)} AI notes corrupt records`,
        userId: 'U0DEVOPS1',
      })
    ).json() as { text: string };
    expect(answer.text).toMatch(/git revert \(Option A\) of dr-amal-clinical-os started as INC-/);

    // Vercel's git integration: a push to the deploy branch becomes a production build.
    const reverted = await waitFor('the revert to reach origin', async () => {
      const head = world.git.originHead();
      return head !== bad ? head : undefined;
    });
    world.vercel.state.pushCommit(reverted, { version: '2.0.1' });

    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(reverted.startsWith(world.vercel.state.production()?.app.commit ?? 'none')).toBe(true);
    const message = world.git.git(world.git.origin, 'log', '-1', '--format=%B', reverted);
    expect(message).toMatch(/Rollback-Incident: INC-/);
    expect(world.git.git(world.git.origin, 'show', `${reverted}:app.txt`)).toBe('v1.9.0\n');
    const steps = (await world.bot.bot.engine.deps.store.listIncidents({ limit: 1 }))[0];
    const stored = await world.bot.bot.engine.deps.store.steps(steps?.id ?? '');
    expect(stored.map((s) => [s.kind, s.state, s.attempts])).toEqual([
      ['code_revert', 'succeeded', 1],
      ['deploy', 'succeeded', 1],
      ['verification', 'succeeded', 1],
    ]);
    // READY is not live: the deploy step reported the wait for Vercel to assign the production domains (issue 12 item
    // 1).
    const timeline = await world.bot.bot.engine.deps.store.timeline(steps?.id ?? '');
    expect(timeline.filter((t) => t.kind === 'deploy_progress').map((t) => t.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('READY, production domains not yet assigned')]),
    );
  });

  it('refuses a commit that is not hex before anything starts', async () => {
    const answer = (
      await ctx.world.bot.sender.slashCommand({ text: `revert ${SERVICE} --help`, userId: 'U0DEVOPS1' })
    ).json() as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/not a valid commit id/);
  });
});
