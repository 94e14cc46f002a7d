/**
 * A step found running after a crash, on the in-memory store and fake ports:
 * nothing is done while its worker's lease holds; once it expired, one worker
 * takes the step over and reads the outside world (Vercel's alias request,
 * _prisma_migrations) before anything runs again.
 */
import { RollbackError } from '../../../src/rollback/errors';
import { requestRollback } from '../../../src/rollback/incident/request-rollback';
import { reconcileRunningSteps } from '../../../src/rollback/incident/reconcile-steps';
import { holdLease } from '../../../src/rollback/incident/step-lease';
import type { RollbackKind } from '../../../src/rollback/incident/plan';
import type { StepRecord } from '../../../src/rollback/ports/incident-store';
import { PEOPLE, SERVICE, as, engineWorld, runAll, type EngineWorld as World } from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

const LEASE_MS = 15_000;

/** A dead worker's step: started (lease taken) with its input resolved, then never heard of again. */
async function leftRunning(
  world: World,
  kind: RollbackKind = 'application',
  input: Record<string, unknown> = { targetId: 'dpl_good' },
): Promise<StepRecord> {
  const target = kind === 'application' ? 'dpl_good' : kind === 'schema' ? '20260117_add_ai_features' : 'c0ffee0';
  const { incident } = await requestRollback(world.deps, {
    service: SERVICE,
    request: { kind, target },
    actor: as(PEOPLE.devopsLead),
  });
  const [step] = await world.store.steps(incident.id);
  if (!step) throw new Error('no step');
  const from = step.state === 'awaiting_approval' ? 'approved' : step.state;
  if (from !== step.state) await world.store.moveStep(step.id, step.state, from);
  const running = await world.store.moveStep(step.id, from, 'running', {
    countAttempt: true,
    claimedBy: 'dead-worker',
    leaseMs: LEASE_MS,
    input: { ...step.input, ...input },
  });
  if (!running) throw new Error('not started');
  return running;
}
const stepOf = async (world: World, step: StepRecord) => world.store.getStep(step.id);

describe('reconcileRunningSteps', () => {
  it('leaves a step alone while its worker’s lease holds: nothing is read, nothing moves', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.clock.advance(LEASE_MS - 1);
    expect(await reconcileRunningSteps(world.deps)).toBe(0);
    expect(world.application.count('reconcile')).toBe(0);
    expect(await stepOf(world, step)).toMatchObject({ state: 'running', claimedBy: 'dead-worker' });
  });

  it('takes an expired step over and finishes it as succeeded when Vercel says the move happened', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.application.reconcileAnswer = 'succeeded';
    world.clock.advance(LEASE_MS);
    expect(await reconcileRunningSteps(world.deps)).toBe(1);
    expect(await stepOf(world, step)).toMatchObject({
      state: 'succeeded',
      attempts: 1,
      output: { reconciled: true, status: 'succeeded' },
    });
    const reconcile = (await world.store.timeline(step.incidentId)).find((t) => t.kind === 'reconcile');
    expect(reconcile?.message).toContain("Vercel's last alias request says succeeded");
    expect(world.application.calls.find((c) => c.method === 'reconcile')?.input).toMatchObject({
      targetId: 'dpl_good',
      requestedAt: step.startedAt,
    });
    expect(world.application.count('moveProduction')).toBe(0);
    expect(await runAll(world.deps)).toBe(1);
    expect(await world.store.getIncident(step.incidentId)).toMatchObject({ state: 'resolved' });
  });

  it('fails the step when Vercel says the move failed', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.application.reconcileAnswer = 'failed';
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({ state: 'failed', error: { code: 'external' } });
    expect(await world.store.getIncident(step.incidentId)).toMatchObject({ state: 'failed' });
  });

  it('puts the step back to run again when Vercel has no record of the request', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await runAll(world.deps)).toBe(2);
    expect(await stepOf(world, step)).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(world.application.count('moveProduction')).toBe(1);
  });

  it('marks the step unknown when the outside world cannot be read, so a person checks it', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.application.reconcileAnswer = new RollbackError('unavailable', 'Vercel answered 503.', { retryable: true });
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({
      state: 'unknown',
      error: { code: 'unavailable', message: 'Vercel answered 503.' },
    });
    expect(await world.store.getIncident(step.incidentId)).toMatchObject({ state: 'failed' });
  });

  it('finishes a schema step that _prisma_migrations says was rolled back, with the archive tables', async () => {
    const world = engineWorld();
    const step = await leftRunning(world, 'schema', { plan: { migrationName: '20260117_add_ai_features' } });
    world.schema.reconcileState = 'rolled-back';
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({
      state: 'succeeded',
      output: { archivedTables: ['_archive_ai_features'], reconciled: true },
    });
  });

  it('sends a schema step that changed nothing back to approved, to run again under the same approval', async () => {
    const world = engineWorld();
    const step = await leftRunning(world, 'schema', { plan: { migrationName: '20260117_add_ai_features' } });
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({ state: 'approved' });
  });

  it('sends a revert back to pending without reading anything: its worker recognises work already done', async () => {
    const world = engineWorld();
    const step = await leftRunning(world, 'revert', {});
    world.clock.advance(LEASE_MS);
    await reconcileRunningSteps(world.deps);
    expect(await stepOf(world, step)).toMatchObject({ state: 'pending' });
    expect(world.application.count('reconcile') + world.schema.calls.length).toBe(0);
  });

  it('lets only one of two workers reconcile a step', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    world.application.reconcileAnswer = 'succeeded';
    world.clock.advance(LEASE_MS);
    const other = { ...world.deps, workerId: 'worker-2' };
    const counts = await Promise.all([reconcileRunningSteps(world.deps), reconcileRunningSteps(other)]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(world.application.count('reconcile')).toBe(1);
    expect((await world.store.timeline(step.incidentId)).filter((t) => t.kind === 'reconcile')).toHaveLength(1);
  });
});

describe('the lease a worker holds', () => {
  it('is lost once its time ran out on the worker’s stopwatch without a renewal, and the worker stops', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    const lease = holdLease(world.deps, step);
    try {
      expect(() => lease.check()).not.toThrow();
      world.clock.advance(LEASE_MS * 0.8);
      expect(lease.lost()).toBe(true);
      expect(() => lease.check()).toThrow(/lost its lease/);
    } finally {
      lease.stop();
    }
  });

  it('parks a step on stop: the lease ends at once and the next worker reconciles it without waiting', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    const lease = holdLease(world.deps, step);
    await lease.park();
    expect(lease.lost()).toBe(true);
    expect((await world.store.runningSteps()).map((s) => s.id)).toEqual([step.id]);
    expect(await world.kinds(step.incidentId)).toContain('step_parked');
    expect(await reconcileRunningSteps(world.deps)).toBe(1);
  });

  it('refuses to hold a step that was started without a lease', async () => {
    const world = engineWorld();
    const step = await leftRunning(world);
    expect(() => holdLease(world.deps, { ...step, leaseToken: undefined })).toThrow(/runs without a lease/);
  });
});
