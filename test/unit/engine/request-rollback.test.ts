/**
 * Opening a rollback, on the in-memory store and fake ports: the plan each
 * kind of rollback gets, the authority gate in front of it, one incident per
 * service, and nothing written when the request is refused.
 */
import { codeOf } from '../../support/error-code';
import { requestRollback } from '../../../src/rollback/incident/request-rollback';
import { RollbackError } from '../../../src/rollback/errors';
import type { RollbackRequestData } from '../../../src/rollback/ports/incident-store';
import { AFTER_HOURS, PEOPLE, SERVICE, as, engineWorld, type EngineWorld } from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

const ask = (world: EngineWorld, request: RollbackRequestData, actor: string = PEOPLE.devopsLead) =>
  requestRollback(world.deps, { service: SERVICE, request, actor: as(actor) });

describe('requestRollback: plans', () => {
  it('runs without a database: no TEST_DATABASE_URL and the pg driver cannot even be loaded', () => {
    expect(process.env.TEST_DATABASE_URL).toBeUndefined();
    expect(() => jest.requireMock('pg')).toThrow(/must not reach PostgreSQL/);
  });

  it('opens an application rollback with its two steps, its opening entry, an announcement and a wake', async () => {
    const world = engineWorld();
    const { incident, created, message } = await ask(world, {
      kind: 'application',
      target: 'dpl_good',
      reason: 'Checkout 500s',
    });
    expect(created).toBe(true);
    expect(incident).toMatchObject({
      id: 'INC-20260120-0001',
      state: 'open',
      issue: 'Checkout 500s',
      openedAt: world.clock.now(),
      decidedAt: world.clock.now(),
    });
    const steps = await world.store.steps(incident.id);
    expect(steps.map((s) => [s.kind, s.state, s.input.target])).toEqual([
      ['application', 'pending', 'dpl_good'],
      ['verification', 'pending', 'dpl_good'],
    ]);
    expect(await world.kinds(incident.id)).toEqual(['opened']);
    expect(world.announced).toEqual([incident.id]);
    expect(world.wakes()).toBe(1);
    expect(message).toContain(`started as ${incident.id}`);
  });

  it('goes back to the newest last known good not serving now when no target is named', async () => {
    const world = engineWorld();
    const t = (hoursAgo: number) => new Date(world.clock.now().getTime() - hoursAgo * 3_600_000);
    await world.store.recordDeployment({
      service: SERVICE,
      deploymentId: 'dpl_older',
      servedFrom: t(72),
      servedUntil: t(48),
    });
    await world.store.recordDeployment({
      service: SERVICE,
      deploymentId: 'dpl_good',
      version: '1.9.0',
      servedFrom: t(48),
      servedUntil: t(1),
    });
    await world.store.recordDeployment({ service: SERVICE, deploymentId: 'dpl_bad', servedFrom: t(1) });
    for (const id of ['dpl_older', 'dpl_good', 'dpl_bad']) await world.store.markLastKnownGood(SERVICE, id, t(0.5));
    const { incident } = await ask(world, { kind: 'application' });
    expect((await world.store.steps(incident.id))[0]?.input.target).toBe('dpl_good');
    expect((await world.store.timeline(incident.id))[0]?.message).toContain(
      'rolling back to the last known good, 1.9.0',
    );
  });

  it('leaves the target to the platform when no last known good is recorded', async () => {
    const world = engineWorld();
    const { incident } = await ask(world, { kind: 'application' });
    expect((await world.store.steps(incident.id))[0]?.input.target).toBeNull();
  });

  it('plans a git revert as revert, deploy, verify, with the commit checked and lowercased', async () => {
    const world = engineWorld();
    const { incident } = await ask(world, { kind: 'revert', target: 'B90DE38' });
    expect((await world.store.steps(incident.id)).map((s) => [s.kind, s.state, s.input.target])).toEqual([
      ['code_revert', 'pending', 'b90de38'],
      ['deploy', 'pending', 'b90de38'],
      ['verification', 'pending', 'b90de38'],
    ]);
  });

  it('holds a git reset for the CTO: the step awaits an approval that expires after 30 minutes', async () => {
    const world = engineWorld();
    const { incident, message } = await ask(world, { kind: 'reset', target: 'b7920c6' }, PEOPLE.dba);
    const [reset] = await world.store.steps(incident.id);
    expect(reset).toMatchObject({ kind: 'code_reset', state: 'awaiting_approval' });
    const [approval] = await world.store.approvalsFor(incident.id);
    expect(approval).toMatchObject({
      id: `${incident.id}-A1`,
      stepId: reset?.id,
      action: 'git-reset',
      requestedBy: PEOPLE.dba,
      decision: 'pending',
    });
    expect((approval?.expiresAt.getTime() ?? 0) - world.clock.now().getTime()).toBe(30 * 60_000);
    expect(await world.kinds(incident.id)).toEqual(['opened', 'approval_requested']);
    expect(message).toContain('waits for the CTO');
    expect(await world.store.claimRunnable('worker-1', 5)).toEqual([]);
  });

  it('plans a schema rollback only for a service with a database whose URL is set', async () => {
    const without = engineWorld({ service: { database: undefined } });
    expect(await codeOf(ask(without, { kind: 'schema', target: '20260117_add_ai_features' }))).toBe('bad_input');
    const unset = engineWorld({ env: { DR_AMAL_DATABASE_URL: '' } });
    expect(await codeOf(ask(unset, { kind: 'schema', target: '20260117_add_ai_features' }))).toBe('bad_input');
    expect(await unset.store.findOpenIncident(SERVICE)).toBeUndefined();
    const world = engineWorld();
    const { incident } = await ask(world, { kind: 'schema', target: '20260117_add_ai_features' });
    expect((await world.store.steps(incident.id)).map((s) => [s.kind, s.state])).toEqual([
      ['schema', 'awaiting_approval'],
      ['verification', 'pending'],
    ]);
  });

  it('refuses bad input before writing: a kind it cannot do, a bad commit, a NUL in the reason', async () => {
    const world = engineWorld();
    expect(await codeOf(ask(world, { kind: 'everything' as never }))).toBe('bad_input');
    expect(await codeOf(ask(world, { kind: 'revert', target: 'not-a-sha' }))).toBe('bad_input');
    expect(await codeOf(ask(world, { kind: 'revert' }))).toBe('bad_input');
    expect(await codeOf(ask(world, { kind: 'application', reason: 'bad\u0000reason' }))).toBe('bad_input');
    expect(await world.store.listIncidents({ limit: 5 })).toEqual([]);
  });

  it('refuses when a step’s port is unavailable, writing the refusal on the service’s timeline', async () => {
    const world = engineWorld();
    world.application.unavailable = new RollbackError('bad_input', 'VERCEL_TOKEN is not set.');
    await expect(ask(world, { kind: 'application' })).rejects.toThrow('VERCEL_TOKEN');
    expect(await world.store.findOpenIncident(SERVICE)).toBeUndefined();
    expect(world.store.tables.timeline.map((t) => [t.kind, t.service, t.incidentId])).toEqual([
      ['refused', SERVICE, undefined],
    ]);
  });
});

describe('requestRollback: a named target during a release the bot knows of', () => {
  const named = (target: string): RollbackRequestData => ({ kind: 'application', target, reason: 'checkout broken' });
  const releaseUnderWay = (world: EngineWorld): void => {
    world.releases.set(SERVICE, { id: 'REL-1', base: { id: 'dpl_bad' }, startedAt: world.clock.now() });
  };

  it('is resolved before the incident opens, and a refusal opens nothing and is written down', async () => {
    const world = engineWorld();
    releaseUnderWay(world);
    expect(await codeOf(ask(world, named('dpl_canary')))).toBe('not_found');
    expect(world.application.count('resolveTarget')).toBe(1);
    expect(world.application.count('moveProduction')).toBe(0);
    expect(await world.store.findOpenIncident(SERVICE)).toBeUndefined();
    expect(world.store.tables.timeline).toMatchObject([
      { kind: 'refused', service: SERVICE, message: expect.stringContaining('dpl_canary') },
    ]);
    const { created } = await ask(world, named('dpl_good'));
    expect(created).toBe(true);
  });

  it('is left to the step without a release: nothing is read from the platform before the incident opens', async () => {
    const world = engineWorld();
    await ask(world, named('dpl_good'));
    expect(world.application.count('resolveTarget')).toBe(0);
  });
});

describe('requestRollback: one incident per service', () => {
  it('adds a second request to the open incident’s timeline instead of starting a second rollback', async () => {
    const world = engineWorld();
    const first = await ask(world, { kind: 'application' });
    const second = await ask(world, { kind: 'revert', target: 'b90de38' });
    expect(second).toMatchObject({ created: false, incident: { id: first.incident.id } });
    expect(second.message).toContain('already has an open incident');
    expect(await world.store.steps(first.incident.id)).toHaveLength(2);
    expect(await world.kinds(first.incident.id)).toEqual(['opened', 'joined']);
    expect(world.announced).toEqual([first.incident.id]);
  });
});

describe('requestRollback: the authority gate', () => {
  it('refuses someone with no role, writes the refusal, and tells nothing about the request', async () => {
    const world = engineWorld();
    const refused = ask(world, { kind: 'revert', target: 'not-a-sha' }, PEOPLE.stranger);
    expect(await codeOf(refused)).toBe('forbidden');
    expect(world.store.tables.timeline).toMatchObject([
      { kind: 'refused', service: SERVICE, actor: PEOPLE.stranger, data: { gate: 'execute' } },
    ]);
    expect(await world.store.findOpenIncident(SERVICE)).toBeUndefined();
  });

  it('refuses the on-call engineer an application rollback in working hours', async () => {
    const world = engineWorld();
    await expect(ask(world, { kind: 'application' }, PEOPLE.onCall)).rejects.toThrow(
      /only the DevOps lead may execute/i,
    );
  });

  it('lets the on-call engineer execute after hours and notifies the CTO asynchronously', async () => {
    const world = engineWorld({ at: AFTER_HOURS });
    const { incident } = await ask(world, { kind: 'application' }, PEOPLE.onCall);
    expect(world.ctoNotices).toEqual([
      { incidentId: incident.id, ctoUserIds: [PEOPLE.cto], executedBy: PEOPLE.onCall },
    ]);
    expect(await world.kinds(incident.id)).toEqual(['opened', 'cto_notified']);
  });
});
