/**
 * A rollback that names no target during a rolling release goes to the
 * release's base (what served before the canary), not to the newest last known
 * good: the instant rollback there aborts the release on Vercel. Both ways an
 * incident opens while a release is at 10%: a person's plain /rollback, and the
 * production monitor's question answered with Roll back now.
 */
import { answerHotfix, openQuestionIncident } from '../../src/rollback/incident/hotfix';
import type { SlackUserId } from '../../src/rollback/ids';
import { SERVICE, type World, useWorld } from '../support/incident-world';
import {
  LEAD,
  LEAD_AND_CTO,
  OVERRIDE,
  addCandidate,
  releaseOf,
  rollout,
  rolloutService,
} from '../support/rollout-world';

/** 1.9.0 served first and is recorded last known good; 2.0.0-beta (the release's base) serves since. */
async function recordHistory(world: World): Promise<void> {
  const store = world.bot.bot.engine.deps.store;
  const now = world.clock.now().getTime();
  const at = (hoursAgo: number): Date => new Date(now - hoursAgo * 3600_000);
  const { good, bad } = world.history;
  await store.recordDeployment({
    service: SERVICE,
    deploymentId: good.id,
    version: '1.9.0',
    servedFrom: at(48),
    servedUntil: at(2),
  });
  await store.markLastKnownGood(SERVICE, good.id, at(24));
  await store.recordDeployment({ service: SERVICE, deploymentId: bad.id, version: '2.0.0-beta', servedFrom: at(2) });
}

async function startRelease(world: World): Promise<void> {
  await recordHistory(world);
  const canary = addCandidate(world);
  expect(await rollout(world, LEAD_AND_CTO, `${SERVICE} ${canary.id} ${OVERRIDE}`)).toMatch(/started/);
  expect(world.vercel.state.project.release).toMatchObject({ state: 'ACTIVE', canaryId: canary.id });
}

async function expectBackOnBase(world: World, incidentId: string): Promise<void> {
  await world.waitForPost('ROLLBACK COMPLETE', 30_000);
  const store = world.bot.bot.engine.deps.store;
  expect((await store.steps(incidentId)).map((s) => [s.kind, s.state, s.input.target])).toEqual([
    ['application', 'succeeded', world.history.bad.id],
    ['verification', 'succeeded', world.history.bad.id],
  ]);
  expect(world.vercel.state.project.release?.state).toBe('ABORTED');
  expect(world.vercel.state.production()?.id).toBe(world.history.bad.id);
}

describe('/rollback with no target during a release at 10%', () => {
  const ctx = useWorld('e2e_rollout_plain_rollback', { service: rolloutService() });

  it("rolls back to the release's base, which aborts the release; the timeline says why", async () => {
    const { world } = ctx;
    await startRelease(world);
    const ack = await world.bot.sender.slashCommand({ text: `${SERVICE} checkout broken`, userId: LEAD });
    expect((ack.json() as { text: string }).text).toMatch(/started as INC-/);
    const incident = await world.bot.bot.engine.deps.store.findOpenIncident(SERVICE);
    if (!incident) throw new Error('no incident opened');
    const release = await releaseOf(ctx.database.url);
    const opened = (await world.bot.bot.engine.deps.store.timeline(incident.id)).find((t) => t.kind === 'opened');
    const base = `2.0.0-beta (commit ${world.history.badCommit.slice(0, 7)}, ${world.history.bad.id})`;
    expect(opened?.message).toContain(`No target named: rolling back to the base of release ${release.id}, ${base}.`);
    expect(opened?.data).toMatchObject({ releaseBase: world.history.bad.id, lastKnownGood: null });
    await expectBackOnBase(world, incident.id);
  }, 45_000);
});

describe("the production monitor's question during a release at 10%, answered Roll back now", () => {
  const ctx = useWorld('e2e_rollout_monitor_rollback', { service: rolloutService() });

  it("rolls back to the release's base, not the last known good", async () => {
    const { world } = ctx;
    await startRelease(world);
    const deps = world.bot.bot.engine.deps;
    // The canary's share of the production domains showed in the monitor's probes.
    const { incident } = await openQuestionIncident(deps, {
      service: SERVICE,
      issue: 'Error rate 12%',
      trigger: 'SHOULD roll back: error rate above 10%',
      actor: 'rollback-bot',
      severity: 'should',
    });
    await answerHotfix(deps, { incidentId: incident.id, actor: LEAD as SlackUserId, answer: 'rollback_now' });
    await expectBackOnBase(world, incident.id);
  }, 45_000);
});
