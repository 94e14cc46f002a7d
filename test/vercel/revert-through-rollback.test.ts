/**
 * What the user sees through /rollback revert when Vercel is slow to assign
 * the production domains (default: 3 polls after READY) or blocks the build.
 * Before: the incident ended FAILED seconds before the fix went live, and a
 * BLOCKED build waited out the build deadline.
 */
import { SERVICE, useWorld } from '../support/incident-world';
import { waitFor } from '../support/wait';

describe('/rollback revert against Vercel as it really behaves', () => {
  const ctx = useWorld('vercel_revert_live');

  async function revertAndPush(): Promise<string> {
    const { world } = ctx;
    const bad = world.history.badCommit;
    await world.bot.sender.slashCommand({
      text: `revert ${SERVICE} ${bad.slice(0, 7)} checkout broken`,
      userId: 'U0DEVOPS1',
    });
    const reverted = await waitFor('the revert to reach origin', async () => {
      const head = world.git.originHead();
      return head !== bad ? head : undefined;
    });
    return reverted;
  }

  it('a BLOCKED build fails the incident at once and says why in words, with the fix', async () => {
    const { world } = ctx;
    world.vercel.state.buildPlan = { outcome: 'BLOCKED', readsPerStep: 1, blockCode: 'TEAM_ACCESS_REQUIRED' };
    const started = Date.now();
    world.vercel.state.pushCommit(await revertAndPush());
    const failed = await world.waitForPost('ROLLBACK FAILED', 20_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    const said = world.postsWith('not a member of the Vercel team');
    expect(said.length).toBeGreaterThan(0);
    expect(`${failed.text}${said.map((p) => p.text).join(' ')}`).toContain('git.committer');
  });
});
