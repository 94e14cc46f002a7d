/**
 * Last known good end to end, in the real bot against the Slack and Vercel
 * stand-ins and real PostgreSQL, with the probe and last-known-good jobs
 * ticked through the engine's scheduler: a deployment that served an hour
 * becomes last known good; two newer deployments follow, the second broken;
 * `/rollback <service>` with no target goes back to the last known good (not
 * to Vercel's previous deployment), and `/rollback history` shows the table.
 */
import { LAST_KNOWN_GOOD_JOB, probeJobName } from '../../src/probes/probe-jobs';
import { SERVICE, useWorld } from '../support/incident-world';
import { rows } from '../support/database';

describe('last known good in the running bot', () => {
  // node-cron ticks on real time while this world's clock is January: a daily probe interval keeps real ticks
  // out of the test, which ticks the same jobs by hand on the world's clock.
  const ctx = useWorld('probes_lkg', { service: { triggers: { evaluationIntervalSeconds: 86_400 } } });

  /** One tick by hand; node-cron also ticks in this world, so a tick it holds is waited out. */
  async function tick(job: string): Promise<Date> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      // A slot a minute back: the run is not held for a claim window afterwards.
      const slot = new Date(ctx.world.clock.now().getTime() - 60_000);
      const outcome = await ctx.world.bot.bot.engine.scheduler.runTick(job, slot);
      if (outcome.result === 'ran') return slot;
      if (outcome.result === 'failed') throw outcome.error;
      if (Date.now() > deadline) throw new Error(`${job} did not run: ${outcome.result}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('rolls back to the last known good when no target is named, and history shows it', async () => {
    const { world } = ctx;
    const stable = world.history.bad; // 2.0.0-beta serves at the start; it is the one that will prove itself.
    const firstSlot = await tick(probeJobName(SERVICE));
    // The run is stamped with its tick: results and the deployment's start of serving.
    const stamped = await rows<{ at: Date }>(
      ctx.database.url,
      'SELECT DISTINCT at FROM probe_results WHERE deployment_id = $1',
      [stable.id],
    );
    expect(stamped.map((r) => r.at.getTime())).toContain(firstSlot.getTime());
    world.clock.advance(61 * 60_000);
    await tick(LAST_KNOWN_GOOD_JOB);
    const [marked] = await rows<{ deployment_id: string }>(
      ctx.database.url,
      'SELECT deployment_id FROM deployments WHERE last_known_good_at IS NOT NULL',
    );
    expect(marked?.deployment_id).toBe(stable.id);

    // Two releases follow within minutes: 2.1.0, then 2.2.0 whose health fails.
    const newer = world.vercel.state.addDeployment({
      version: '2.1.0',
      commitMessage: 'feat: faster search',
      live: true,
    });
    await tick(probeJobName(SERVICE));
    world.clock.advance(5 * 60_000);
    const broken = world.vercel.state.addDeployment({
      version: '2.2.0',
      commitMessage: 'feat: new billing',
      live: true,
      app: { healthStatus: 503 },
    });
    await tick(probeJobName(SERVICE));
    await tick(LAST_KNOWN_GOOD_JOB);
    const served = await rows<{ deployment_id: string; served_until: Date | null; last_known_good_at: Date | null }>(
      ctx.database.url,
      'SELECT deployment_id, served_until, last_known_good_at FROM deployments ORDER BY served_from',
    );
    expect(served.map((d) => [d.deployment_id, d.served_until === null, d.last_known_good_at !== null])).toEqual([
      [stable.id, false, true],
      [newer.id, false, false],
      [broken.id, true, false],
    ]);

    const answer = (
      await world.bot.sender.slashCommand({ text: `${SERVICE} billing broken`, userId: 'U0DEVOPS1' })
    ).json() as { text: string };
    expect(answer.text).toMatch(/started as INC-/);
    const complete = await world.waitForPost('ROLLBACK COMPLETE', 20_000);
    expect(complete.text).toContain('2.0.0-beta');
    // Vercel's own default would have been 2.1.0, the deployment just before the broken one.
    expect(world.vercel.state.production()?.id).toBe(stable.id);
    const [opened] = await rows<{ message: string }>(
      ctx.database.url,
      "SELECT message FROM timeline WHERE kind = 'opened'",
    );
    expect(opened?.message).toContain(
      `No target named: rolling back to the last known good, 2.0.0-beta (commit ` +
        `${world.history.badCommit.slice(0, 7)}, ${stable.id})`,
    );

    // The next probe sees the rollback: the last known good serves again, the broken deployment stopped.
    await world.bot.bot.engine.runner.idle();
    await tick(probeJobName(SERVICE));
    const after = await rows<{ deployment_id: string }>(
      ctx.database.url,
      'SELECT deployment_id FROM deployments WHERE served_from IS NOT NULL AND served_until IS NULL',
    );
    expect(after.map((d) => d.deployment_id)).toEqual([stable.id]);
    const seen = await rows<{ message: string }>(
      ctx.database.url,
      "SELECT message FROM timeline WHERE kind = 'deployment_seen' AND incident_id IS NULL ORDER BY id DESC LIMIT 1",
    );
    expect(seen[0]?.message).toMatch(/^New deployment seen: 2\.0\.0-beta, .* replacing 2\.2\.0/);

    // The runbook's table: version, commit, date, notes, and the last-known-good mark.
    // (Which row the reply marks "current production" follows served_from, which the rollback step sets from
    // Vercel's createdAt: the stand-in's clock is real time and the world's is January, so that mark is not asserted.)
    const reply = (await world.bot.sender.slashCommand({ text: `history ${SERVICE}`, userId: 'U0NOBODY1' })).json() as {
      text: string;
      blocks: unknown[];
    };
    const table = JSON.stringify(reply.blocks);
    expect(table).toMatch(
      new RegExp(
        `2\\.0\\.0-beta +${world.history.badCommit.slice(0, 7)} +2026-01-20 +restored by ` +
          `INC-\\S+ \\(.*last known good\\)`,
      ),
    );
    expect(table).toMatch(/2\.2\.0 +\w{7} +\d{4}-\d\d-\d\d +feat: new billing/);
    expect(table).toMatch(/2\.1\.0 +\w{7} +2026-01-20 +feat: faster search/);
    expect(table).not.toContain('1.9.0');
  });
});
