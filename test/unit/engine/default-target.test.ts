/**
 * Where a rollback that names no target goes, on every path that fills it in:
 * /rollback, Roll back now on the hotfix question, and /rollback plan. During
 * a release the bot recorded, the release's base; otherwise the last known good.
 */
import { dryRun } from '../../../src/rollback/incident/dry-run';
import { answerHotfix, openQuestionIncident } from '../../../src/rollback/incident/hotfix';
import { requestRollback } from '../../../src/rollback/incident/request-rollback';
import { PEOPLE, SERVICE, as, engineWorld, type EngineWorld } from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

/** 1.9.0 (dpl_good) served first and is last known good; 2.0.0-beta (dpl_bad) serves since. */
async function history(world: EngineWorld): Promise<void> {
  const now = world.clock.now().getTime();
  const at = (hoursAgo: number): Date => new Date(now - hoursAgo * 3600_000);
  await world.store.recordDeployment({
    service: SERVICE,
    deploymentId: 'dpl_good',
    servedFrom: at(48),
    servedUntil: at(2),
  });
  await world.store.markLastKnownGood(SERVICE, 'dpl_good', at(24));
  await world.store.recordDeployment({
    service: SERVICE,
    deploymentId: 'dpl_bad',
    version: '2.0.0-beta',
    servedFrom: at(2),
  });
}

function releaseOverBad(world: EngineWorld): void {
  const startedAt = new Date(world.clock.now().getTime() - 10 * 60_000);
  world.releases.set(SERVICE, { id: 'REL-1', base: { id: 'dpl_bad' }, startedAt });
}

const targetsOf = async (world: EngineWorld, incidentId: string) =>
  (await world.store.steps(incidentId)).map((s) => s.input.target);

const plainRollback = (world: EngineWorld) =>
  requestRollback(world.deps, {
    service: SERVICE,
    request: { kind: 'application', reason: 'checkout broken' },
    actor: as(PEOPLE.devopsLead),
  });

describe('a rollback that names no target', () => {
  it('goes to the base of the release under way, and says so on the timeline', async () => {
    const world = engineWorld();
    await history(world);
    releaseOverBad(world);
    const { incident } = await plainRollback(world);
    expect(await targetsOf(world, incident.id)).toEqual(['dpl_bad', 'dpl_bad']);
    const [opened] = await world.store.timeline(incident.id);
    expect(opened?.message).toContain(
      'No target named: rolling back to the base of release REL-1, 2.0.0-beta (dpl_bad).',
    );
    expect(opened?.data).toMatchObject({ releaseBase: 'dpl_bad', lastKnownGood: null });
  });

  it('goes to the last known good without a release', async () => {
    const world = engineWorld();
    await history(world);
    const { incident } = await plainRollback(world);
    expect(await targetsOf(world, incident.id)).toEqual(['dpl_good', 'dpl_good']);
    const [opened] = await world.store.timeline(incident.id);
    expect(opened?.data).toMatchObject({ releaseBase: null, lastKnownGood: 'dpl_good' });
  });

  it("from the hotfix question's Roll back now, goes to the release's base too", async () => {
    const world = engineWorld();
    await history(world);
    releaseOverBad(world);
    const { incident } = await openQuestionIncident(world.deps, {
      service: SERVICE,
      issue: 'Error rate 12%',
      trigger: 'SHOULD roll back: error rate above 10%',
      actor: 'rollback-bot',
    });
    await answerHotfix(world.deps, { incidentId: incident.id, actor: as(PEOPLE.devopsLead), answer: 'rollback_now' });
    expect(await targetsOf(world, incident.id)).toEqual(['dpl_bad', 'dpl_bad']);
  });

  it('is what /rollback plan shows: the same choice, resolved on the platform', async () => {
    const world = engineWorld();
    await history(world);
    await dryRun(world.deps, SERVICE, { kind: 'application' });
    releaseOverBad(world);
    await dryRun(world.deps, SERVICE, { kind: 'application' });
    const specs = world.application.calls.filter((c) => c.method === 'resolveTarget').map((c) => c.input);
    expect(specs).toEqual([
      { service: SERVICE, spec: 'dpl_good' },
      { service: SERVICE, spec: 'dpl_bad' },
    ]);
  });
});
