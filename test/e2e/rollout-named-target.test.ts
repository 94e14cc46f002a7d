/**
 * A rollback that names its target during a rolling release, on a service that
 * promotes: a promote would only queue behind the release while the canary
 * keeps its share of traffic, so the bot goes by instant rollback (which aborts
 * the release) to a deployment that served production, and refuses, before the
 * incident opens, one that never did.
 */
import { rows } from '../support/database';
import { SERVICE, type World, useWorld } from '../support/incident-world';
import { LEAD, LEAD_AND_CTO, OVERRIDE, addCandidate, rollout, rolloutService } from '../support/rollout-world';

/** The rollout settings on a service whose vercel.rollbackMethod is promote. */
const promoteService = ({ appUrl }: { appUrl: string }): Record<string, unknown> => ({
  ...rolloutService()({ appUrl }),
  vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 10, rollbackMethod: 'promote' },
});

async function startRelease(world: World): Promise<string> {
  const canary = addCandidate(world);
  expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
  expect(world.vercel.state.project.release).toMatchObject({ state: 'ACTIVE', canaryId: canary.id });
  return canary.id;
}

const rollbackTo = async (world: World, target: string): Promise<string> =>
  (
    (await world.bot.sender.slashCommand({ text: `${SERVICE} to ${target} checkout broken`, userId: LEAD })).json() as {
      text: string;
    }
  ).text;

describe('/rollback to a named target during a release at 10%, on a service that promotes', () => {
  const ctx = useWorld('e2e_rollout_named_target', { service: promoteService });

  it('goes to an earlier production deployment by instant rollback: the release aborts, nothing queues', async () => {
    const { world } = ctx;
    await startRelease(world);
    const good = world.history.good.id;
    expect(await rollbackTo(world, good)).toMatch(/started as INC-/);
    await world.waitForPost('ROLLBACK COMPLETE', 30_000);
    expect(world.vercel.state.project.release?.state).toBe('ABORTED');
    expect(world.vercel.state.production()?.id).toBe(good);
    expect(world.vercel.state.count('POST', '/promote/')).toBe(0);
  }, 45_000);
});

describe('/rollback to a build that never served production during a release, on a service that promotes', () => {
  const ctx = useWorld('e2e_rollout_named_unserved', { service: promoteService });

  it('refuses a deployment that never served production before the incident opens, with the way out', async () => {
    const { world } = ctx;
    const staged = world.vercel.state.addDeployment({ version: '2.0.1', servedProduction: false });
    const canary = await startRelease(world);
    const answer = await rollbackTo(world, staged.id);
    expect(answer).toContain('never served production');
    expect(answer).toContain(`/rollout abort ${SERVICE}`);
    expect(await world.bot.bot.engine.deps.store.findOpenIncident(SERVICE)).toBeUndefined();
    const refused = await rows<{ message: string }>(
      ctx.database.url,
      "SELECT message FROM timeline WHERE kind = 'refused'",
    );
    expect(refused.map((r) => r.message)).toEqual([expect.stringContaining('never served production')]);
    expect(world.vercel.state.requests.filter((r) => r.method === 'POST' && /rollback|promote/.test(r.path))).toEqual(
      [],
    );
    expect(world.vercel.state.project.release).toMatchObject({ state: 'ACTIVE', canaryId: canary });
  }, 45_000);
});
