/**
 * Issue 16 item 4 over HTTP with the stand-ins and real PostgreSQL. The
 * deployment URLs are protected and the target has no commit metadata, so
 * the target's version and commit are unknown. Before the fix the version
 * check passed whatever production served, and COMPLETE was posted while
 * production still served the bad version. Now production must be shown no
 * longer to serve the bad deployment's commit: a lying endpoint that still
 * reports it ends FAILED, an honest one ends COMPLETE after three rounds.
 */
import { SERVICE, useWorld } from '../support/incident-world';
import { startedIncident, waitForIncident } from '../faults/support/incident-checks';
import { rows } from '../support/database';

describe('verification with an unknown target version and commit', () => {
  const ctx = useWorld('e2e_proof', { deploymentUrlsProtected: true });

  const rollBackTo = async (targetId: string, reason: string): Promise<string> =>
    startedIncident(
      (
        await ctx.world.bot.sender.slashCommand({ text: `${SERVICE} to ${targetId} ${reason}`, userId: 'U0DEVOPS1' })
      ).json() as { text: string },
    );
  const verification = async (id: string) =>
    (
      await rows<{ state: string; output: { attempts: number; checks: { name: string; detail: string }[] } }>(
        ctx.database.url,
        "SELECT state, output FROM steps WHERE incident_id = $1 AND kind = 'verification'",
        [id],
      )
    )[0];

  it('fails, never COMPLETE, while production still reports the bad deployment’s commit', async () => {
    const { world } = ctx;
    // Vercel says the target is live, but what answers still is the bad release.
    const target = world.vercel.state.addDeployment({
      version: '1.9.1',
      live: false,
      meta: { githubCommitSha: '' },
      app: { version: '2.0.0-beta', commit: world.history.badCommit.slice(0, 7) },
    });
    const id = await rollBackTo(target.id, 'lying endpoint');
    await waitForIncident(ctx.database.url, id, 'failed');
    expect((await verification(id))?.output.checks.find((c) => c.name === 'version')?.detail).toMatch(
      /still serves the bad deployment/,
    );
    expect(world.postsWith('ROLLBACK COMPLETE')).toHaveLength(0);
  });

  it(
    'passes when production proves it no longer serves the bad deployment, over three ' + 'consecutive rounds',
    async () => {
      const { world } = ctx;
      const bad = world.vercel.state.addDeployment({ version: '2.0.1', commit: world.history.badCommit, live: true });
      const target = world.vercel.state.addDeployment({
        version: '1.9.2',
        live: false,
        meta: { githubCommitSha: '' },
        app: { version: '1.9.2', commit: world.history.goodCommit.slice(0, 7) },
      });
      expect(world.vercel.state.production()?.id).toBe(bad.id);
      const id = await rollBackTo(target.id, 'honest endpoint');
      await waitForIncident(ctx.database.url, id, 'resolved');
      const step = await verification(id);
      expect(step?.output.attempts).toBeGreaterThanOrEqual(3);
      expect(step?.output.checks.find((c) => c.name === 'version')?.detail).toMatch(/no longer the bad deployment/);
    },
  );
});
