/**
 * Running a plan on the in-memory store with fake ports: each step moves by
 * the step machine, the incident follows its steps (rolling back, verifying,
 * resolved or failed), a service runs one step at a time, and a worker that
 * lost its lease records nothing.
 */
import { startRunner } from '../../../src/rollback/incident/runner';
import { requestRollback } from '../../../src/rollback/incident/request-rollback';
import { announceRecentlyClosed, runStep, settleIncidents } from '../../../src/rollback/incident/run-steps';
import type { RollbackRequestData } from '../../../src/rollback/ports/incident-store';
import { PEOPLE, SERVICE, as, engineWorld, runAll, type EngineWorld as World } from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

async function open(
  world: World,
  request: RollbackRequestData = { kind: 'application', target: 'dpl_good' },
): Promise<string> {
  return (await requestRollback(world.deps, { service: SERVICE, request, actor: as(PEOPLE.devopsLead) })).incident.id;
}
const statesOf = async (world: World, incidentId: string) => (await world.store.steps(incidentId)).map((s) => s.state);
/** The incident's states as its timeline recorded them. */
const movesOf = async (world: World, incidentId: string) =>
  (await world.store.timeline(incidentId)).filter((t) => t.kind === 'incident_state').map((t) => t.data.to);

describe('running an application rollback', () => {
  it('moves production, verifies it, resolves the incident and marks the target last known good', async () => {
    const world = engineWorld();
    const incidentId = await open(world);
    world.clock.advance(60_000);
    expect(await runAll(world.deps)).toBe(2);
    expect(await statesOf(world, incidentId)).toEqual(['succeeded', 'succeeded']);
    expect(await movesOf(world, incidentId)).toEqual(['rolling_back', 'verifying', 'resolved']);
    expect(await world.store.getIncident(incidentId)).toMatchObject({
      state: 'resolved',
      restoredAt: world.clock.now(),
      closedAt: world.clock.now(),
    });
    const [application] = await world.store.steps(incidentId);
    expect(application).toMatchObject({
      attempts: 1,
      claimedBy: undefined,
      output: { status: 'succeeded', fromDeploymentId: 'dpl_bad', version: '1.9.0' },
    });
    expect(world.application.current.id).toBe('dpl_good');
    expect(world.application.calls.find((c) => c.method === 'verify')?.input).toEqual({
      version: '1.9.0',
      commitSha: 'b7920c6aa11',
      notVersion: '2.0.0-beta',
      notCommitSha: 'c0ffee00d15',
    });
    expect((await world.store.deployments(SERVICE, 5)).find((d) => d.deploymentId === 'dpl_good')).toMatchObject({
      lastKnownGoodAt: world.clock.now(),
      notes: `restored by ${incidentId}`,
    });
  });

  it('fails the incident when Vercel cannot move a domain, and never verifies', async () => {
    const world = engineWorld();
    world.application.moveStatus = 'failed';
    const incidentId = await open(world);
    await runAll(world.deps);
    expect(await statesOf(world, incidentId)).toEqual(['failed', 'pending']);
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'failed' });
    expect((await world.store.steps(incidentId))[0]?.error?.message).toContain('dr-amal.com');
    expect(world.application.count('verify')).toBe(0);
  });

  it('records an unknown outcome when Vercel was not done by the deadline: a person must check', async () => {
    const world = engineWorld();
    world.application.moveStatus = 'unknown';
    const incidentId = await open(world);
    await runAll(world.deps);
    expect(await statesOf(world, incidentId)).toEqual(['unknown', 'pending']);
    const moves = (await world.store.timeline(incidentId)).filter((t) => t.kind === 'incident_state');
    expect(moves.at(-1)?.message).toMatch(/unknown state.*check it by hand/);
  });

  it('fails the incident when verification fails, leaving last known good alone', async () => {
    const world = engineWorld();
    world.application.verifyPasses = false;
    const incidentId = await open(world);
    await runAll(world.deps);
    expect(await statesOf(world, incidentId)).toEqual(['succeeded', 'failed']);
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'failed', restoredAt: undefined });
    expect(await world.store.deployments(SERVICE, 5)).not.toContainEqual(
      expect.objectContaining({ lastKnownGoodAt: expect.any(Date) }),
    );
  });

  it('turns a thrown port error into a failed step with the error’s fix', async () => {
    const world = engineWorld();
    const incidentId = await open(world, { kind: 'application', target: 'dpl_missing' });
    await runAll(world.deps);
    expect((await world.store.steps(incidentId))[0]).toMatchObject({
      state: 'failed',
      error: { code: 'not_found', fix: 'Name a deployment id, version or commit.' },
    });
  });
});

describe('running a git revert', () => {
  it('reverts, deploys the pushed head, then verifies without expecting a version from Vercel', async () => {
    const world = engineWorld();
    const incidentId = await open(world, { kind: 'revert', target: 'c0ffee0' });
    expect(await runAll(world.deps)).toBe(3);
    expect(await statesOf(world, incidentId)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(world.code.calls[0]?.input).toMatchObject({
      target: { commit: 'c0ffee0' },
      incidentId,
      requestedBy: PEOPLE.devopsLead,
    });
    expect(world.application.calls.find((c) => c.method === 'deployCommit')?.input).toEqual({
      commitSha: '4e7e47e47e4',
    });
    expect(world.application.calls.find((c) => c.method === 'verify')?.input).toEqual({ commitSha: '4e7e47e47e4' });
    expect(await world.kinds(incidentId)).toContain('deploy_progress');
  });
});

describe('one step per service at a time', () => {
  it('gives a claimed step back when another worker holds the service’s lock', async () => {
    const world = engineWorld();
    const incidentId = await open(world);
    const [claimed] = await world.store.claimRunnable('worker-1', 1);
    if (!claimed) throw new Error('nothing claimed');
    const inside = await world.store.withServiceLock(SERVICE, () => runStep(world.deps, claimed));
    expect(inside).toEqual({ ran: true, value: false });
    expect((await world.store.steps(incidentId))[0]).toMatchObject({
      state: 'pending',
      claimedBy: undefined,
      attempts: 0,
    });
    expect(world.application.count('moveProduction')).toBe(0);
  });

  it('does not run a step that another replica started first', async () => {
    const world = engineWorld();
    await open(world);
    const [claimed] = await world.store.claimRunnable('worker-1', 1);
    if (!claimed) throw new Error('nothing claimed');
    await world.store.moveStep(claimed.id, 'pending', 'running', { leaseMs: 15_000, claimedBy: 'worker-2' });
    expect(await runStep(world.deps, claimed)).toBe(false);
    expect(world.application.count('moveProduction')).toBe(0);
  });

  it('records nothing for a worker whose lease another worker took over while it ran', async () => {
    const world = engineWorld();
    const incidentId = await open(world);
    world.application.moveProduction = async (request) => {
      // While Vercel works, this worker's lease runs out and another takes the step over.
      world.clock.advance(20_000);
      const [step] = await world.store.steps(incidentId);
      await world.store.moveStep(step?.id ?? '', 'running', 'running', {
        leaseMs: 15_000,
        onlyIfLeaseExpired: true,
        claimedBy: 'worker-2',
      });
      return {
        method: 'promote',
        status: 'succeeded',
        targetId: request.targetId,
        fromDeploymentId: 'dpl_bad',
        failedAliases: [],
        requestedAt: undefined,
        reusedRequest: false,
        explanation: 'done',
      };
    };
    const [claimed] = await world.store.claimRunnable('worker-1', 1);
    await runStep(world.deps, claimed ?? (undefined as never));
    expect((await world.store.steps(incidentId))[0]).toMatchObject({ state: 'running', claimedBy: 'worker-2' });
  });
});

describe('bringing incidents in line after a crash', () => {
  it('settles an incident left behind its steps, and announces again what closed in the last hour only', async () => {
    const world = engineWorld();
    const incidentId = await open(world);
    for (const step of await world.store.steps(incidentId)) await world.store.moveStep(step.id, 'pending', 'succeeded');
    await settleIncidents(world.deps, await world.store.listIncidents({ openOnly: true, limit: 5 }));
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'resolved' });
    world.announced.length = 0;
    world.clock.advance(59 * 60_000);
    await announceRecentlyClosed(world.deps);
    expect(world.announced).toEqual([incidentId]);
    world.clock.advance(2 * 60_000);
    await announceRecentlyClosed(world.deps);
    expect(world.announced).toEqual([incidentId]);
  });
});

describe('the runner', () => {
  it('runs a woken plan to the end and stops cleanly', async () => {
    const world = engineWorld();
    const { runner, deps } = startRunner({ ...world.deps }, { intervalMs: 60_000 });
    const { incident } = await requestRollback(deps, {
      service: SERVICE,
      request: { kind: 'application' },
      actor: as(PEOPLE.devopsLead),
    });
    await runner.idle();
    await runner.stop();
    expect(await world.store.getIncident(incident.id)).toMatchObject({ state: 'resolved' });
  });
});
