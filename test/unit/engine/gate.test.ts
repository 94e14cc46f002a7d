/**
 * The one authority gate, authorize(), on the in-memory store: the runbook's
 * decision matrix for executing, the CTO's approvals, unpin and the other
 * decisions, and the refusal written to the timeline before it is thrown.
 */
import type { RollbackError } from '../../../src/rollback/errors';
import { AUTOPILOT_ACTOR, type ApprovalRequest } from '../../../src/rollback/incident/authority';
import type { GatedAct } from '../../../src/rollback/incident/decision-matrix';
import { authorize } from '../../../src/rollback/incident/gate';
import {
  AFTER_HOURS,
  PEOPLE,
  SERVICE,
  as,
  engineWorld,
  type EngineWorld as World,
} from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

const gate = (
  world: World,
  actor: string,
  act: GatedAct,
  extra: { incidentId?: string; refusedKind?: string; onLapsed?: () => Promise<void> } = {},
) => authorize(world.deps, { service: SERVICE, actor: as(actor), act, ...extra });
const refusal = (promise: Promise<unknown>): Promise<RollbackError> =>
  promise.then(
    () => Promise.reject(new Error('granted')),
    (error: RollbackError) => error,
  );

describe('authorize: executing a rollback (the decision matrix)', () => {
  it('grants the DevOps lead any application rollback, in hours and after', async () => {
    for (const at of [undefined, AFTER_HOURS]) {
      const granted = await gate(engineWorld({ at }), PEOPLE.devopsLead, { kind: 'execute', rollback: 'application' });
      expect(granted).toMatchObject({ as: 'devopsLead', mode: 'execute', notifyCtoAsync: false });
    }
  });

  it('grants the on-call engineer only after hours, with the CTO notified asynchronously', async () => {
    const night = await gate(engineWorld({ at: AFTER_HOURS }), PEOPLE.onCall, { kind: 'execute', rollback: 'revert' });
    expect(night).toMatchObject({ as: 'onCall', notifyCtoAsync: true });
    const world = engineWorld();
    const refused = await refusal(gate(world, PEOPLE.onCall, { kind: 'execute', rollback: 'revert' }));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(/during working hours/i);
  });

  it('refuses the DBA an application rollback, lets the DBA request a schema rollback for the CTO', async () => {
    const world = engineWorld();
    expect((await refusal(gate(world, PEOPLE.dba, { kind: 'execute', rollback: 'application' }))).code).toBe(
      'forbidden',
    );
    expect(await gate(world, PEOPLE.dba, { kind: 'execute', rollback: 'schema' })).toMatchObject({
      as: 'dba',
      mode: 'request_approval',
    });
    expect(await gate(world, PEOPLE.onCall, { kind: 'execute', rollback: 'reset' })).toMatchObject({
      as: 'onCall',
      mode: 'request_approval',
    });
  });

  it('writes each refusal on the service’s timeline (the incident’s when named) with the role needed', async () => {
    const world = engineWorld();
    await refusal(gate(world, PEOPLE.stranger, { kind: 'execute', rollback: 'application' }));
    const { incident } = await world.store.openIncident(
      {
        id: 'INC-1',
        service: SERVICE,
        issue: 'x',
        trigger: 'y',
        openedBy: 'U0DEVOPS1',
        openedAt: world.clock.now(),
        channelId: 'C1',
        data: { request: { kind: 'application' }, requestedBy: 'a', owner: 'a' },
      },
      [],
    );
    await refusal(
      gate(
        world,
        PEOPLE.stranger,
        { kind: 'decide', what: 'answer the hotfix question' },
        { incidentId: incident.id, refusedKind: 'decision_refused' },
      ),
    );
    expect(
      world.store.tables.timeline.map((t) => [t.kind, t.incidentId ?? t.service, t.data.gate, t.data.roleNeeded]),
    ).toEqual([
      ['refused', SERVICE, 'execute', ['devopsLead']],
      ['decision_refused', incident.id, 'decide', ['devopsLead', 'dba', 'cto', 'onCall']],
    ]);
  });

  it('lets the bot itself execute only an application rollback, and only where autopilot is on', async () => {
    const off = engineWorld();
    expect((await refusal(gate(off, AUTOPILOT_ACTOR, { kind: 'execute', rollback: 'application' }))).message).toMatch(
      /autopilot is off/i,
    );
    const on = engineWorld({ service: { autopilot: true } });
    expect(await gate(on, AUTOPILOT_ACTOR, { kind: 'execute', rollback: 'application' })).toMatchObject({
      as: 'autopilot',
    });
    expect((await refusal(gate(on, AUTOPILOT_ACTOR, { kind: 'execute', rollback: 'schema' }))).code).toBe('forbidden');
  });
});

describe('authorize: the CTO’s approval', () => {
  const request = (world: World, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
    action: 'schema-rollback',
    requestedBy: as(PEOPLE.dba),
    requestedAt: world.clock.now(),
    expiresAt: new Date(world.clock.now().getTime() + 30 * 60_000),
    decision: 'pending',
    ...overrides,
  });

  it('grants the CTO an approve or a reject, and no one else', async () => {
    const world = engineWorld();
    expect(
      await gate(world, PEOPLE.cto, { kind: 'approve', request: request(world), verdict: 'approve' }),
    ).toMatchObject({ as: 'cto', decision: 'approved' });
    expect(
      await gate(world, PEOPLE.cto, { kind: 'approve', request: request(world), verdict: 'reject' }),
    ).toMatchObject({ decision: 'rejected' });
    const refused = await refusal(
      gate(world, PEOPLE.devopsLead, { kind: 'approve', request: request(world), verdict: 'approve' }),
    );
    expect(refused.code).toBe('forbidden');
    expect(world.store.tables.timeline.map((t) => t.kind)).toEqual(['approval_refused']);
  });

  it('refuses the CTO approving their own request', async () => {
    const world = engineWorld();
    const own = request(world, { requestedBy: as(PEOPLE.cto) });
    expect((await refusal(gate(world, PEOPLE.cto, { kind: 'approve', request: own, verdict: 'approve' }))).code).toBe(
      'forbidden',
    );
  });

  it('refuses an approval past its expiry as a conflict, and runs onLapsed so it is marked expired', async () => {
    const world = engineWorld();
    const pending = request(world);
    world.clock.advance(30 * 60_000);
    const lapsed: string[] = [];
    const refused = await refusal(
      gate(
        world,
        PEOPLE.cto,
        { kind: 'approve', request: pending, verdict: 'approve' },
        { onLapsed: async () => void lapsed.push('lapsed') },
      ),
    );
    expect(refused.code).toBe('conflict');
    expect(lapsed).toEqual(['lapsed']);
  });

  it('refuses an approval already decided without marking anything', async () => {
    const world = engineWorld();
    const lapsed: string[] = [];
    const decided = request(world, { decision: 'approved' });
    const refused = await refusal(
      gate(
        world,
        PEOPLE.cto,
        { kind: 'approve', request: decided, verdict: 'reject' },
        { onLapsed: async () => void lapsed.push('x') },
      ),
    );
    expect(refused.code).toBe('conflict');
    expect(lapsed).toEqual([]);
  });
});

describe('authorize: unpin and other decisions', () => {
  it('lets only the DevOps lead unpin production', async () => {
    const world = engineWorld();
    expect(await gate(world, PEOPLE.devopsLead, { kind: 'unpin' })).toMatchObject({ as: 'devopsLead' });
    for (const user of [PEOPLE.cto, PEOPLE.onCall, PEOPLE.stranger])
      expect((await refusal(gate(world, user, { kind: 'unpin' }))).code).toBe('forbidden');
  });

  it('lets any role of the service decide (hotfix answers, the checklist), and refuses a stranger', async () => {
    const world = engineWorld();
    for (const user of [PEOPLE.devopsLead, PEOPLE.dba, PEOPLE.cto, PEOPLE.onCall]) {
      expect(await gate(world, user, { kind: 'decide', what: 'tick the checklist' })).toMatchObject({
        notifyCtoAsync: false,
      });
    }
    expect(
      (await refusal(gate(world, PEOPLE.stranger, { kind: 'decide', what: 'tick the checklist' }))).message,
    ).toContain('tick the checklist');
  });
});
