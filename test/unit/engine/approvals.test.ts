/**
 * The CTO's approval of git Option B and schema rollbacks, on the in-memory
 * store: approve and reject move the step, a decision is taken once, a lapsed
 * request expires (by the runner's sweep or on a late click), and a schema
 * rollback is offered only with a proven data-loss estimate.
 */
import { codeOf } from '../../support/error-code';
import { answerApproval, expireApprovals, prepareSchemaPlans } from '../../../src/rollback/incident/approvals';
import { requestRollback } from '../../../src/rollback/incident/request-rollback';
import type { RollbackKind } from '../../../src/rollback/incident/plan';
import { type EngineWorld as World, PEOPLE, SERVICE, as, engineWorld, runAll } from '../../support/engine/engine-world';

jest.mock('pg', () => {
  throw new Error('The engine decision tests must not reach PostgreSQL.');
});

const MINUTE = 60_000;

async function awaitingApproval(
  world: World,
  kind: RollbackKind = 'reset',
): Promise<{ incidentId: string; approvalId: string }> {
  const target = kind === 'reset' ? 'b7920c6' : '20260117_add_ai_features';
  const { incident } = await requestRollback(world.deps, {
    service: SERVICE,
    request: { kind, target },
    actor: as(PEOPLE.dba),
  });
  const [approval] = await world.store.approvalsFor(incident.id);
  if (!approval) throw new Error('no approval requested');
  return { incidentId: incident.id, approvalId: approval.id };
}
const answer = (world: World, approvalId: string, actor: string, verdict: 'approve' | 'reject') =>
  answerApproval(world.deps, { approvalId, actor: as(actor), verdict });

describe('answerApproval', () => {
  it('lets the CTO approve a git reset: the step may run, and the reset is handed the recorded approval', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world);
    world.clock.advance(5 * MINUTE);
    const { approval, message } = await answer(world, approvalId, PEOPLE.cto, 'approve');
    expect(approval).toMatchObject({ decision: 'approved', decidedBy: PEOPLE.cto, decidedAt: world.clock.now() });
    expect(message).toContain(`approved git-reset for ${incidentId}`);
    expect((await world.store.steps(incidentId)).map((s) => s.state)).toEqual(['approved', 'pending', 'pending']);
    expect(world.wakes()).toBe(2);
    expect(await runAll(world.deps)).toBe(3);
    const [reset] = world.code.calls;
    expect(reset?.input).toMatchObject({
      target: 'b7920c6',
      approval: { approvalId, approvedBy: PEOPLE.cto, action: 'git-reset' },
    });
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'resolved' });
  });

  it('cancels the step and the incident when the CTO rejects', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world);
    await answer(world, approvalId, PEOPLE.cto, 'reject');
    expect((await world.store.steps(incidentId))[0]?.state).toBe('cancelled');
    expect(await world.store.getIncident(incidentId)).toMatchObject({
      state: 'cancelled',
      closedAt: world.clock.now(),
    });
    expect(await world.kinds(incidentId)).toEqual([
      'opened',
      'approval_requested',
      'approval_rejected',
      'incident_state',
    ]);
    expect(await runAll(world.deps)).toBe(0);
  });

  it('takes a decision once: a double click answers "already approved" and changes nothing', async () => {
    const world = engineWorld({ service: { roles: { cto: ['U0CTO0001', 'U0BOTH001'] } } });
    const { approvalId } = await awaitingApproval(world);
    await answer(world, approvalId, PEOPLE.cto, 'approve');
    await expect(answer(world, approvalId, 'U0BOTH001', 'reject')).rejects.toThrow(/already/i);
    expect(await world.store.getApproval(approvalId)).toMatchObject({ decision: 'approved', decidedBy: PEOPLE.cto });
  });

  it('refuses someone who is not the CTO, and an unknown approval', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world);
    expect(await codeOf(answer(world, approvalId, PEOPLE.devopsLead, 'approve'))).toBe('forbidden');
    expect((await world.store.steps(incidentId))[0]?.state).toBe('awaiting_approval');
    expect(await codeOf(answer(world, 'INC-NOPE-A1', PEOPLE.cto, 'approve'))).toBe('not_found');
  });

  it('refuses a click after the expiry: approval expired and incident cancelled on the spot', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world);
    world.clock.advance(30 * MINUTE);
    expect(await codeOf(answer(world, approvalId, PEOPLE.cto, 'approve'))).toBe('conflict');
    expect(await world.store.getApproval(approvalId)).toMatchObject({ decision: 'expired' });
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'cancelled' });
    const again = await answer(world, approvalId, PEOPLE.cto, 'approve').catch((error: Error) => error.message);
    expect(again).toMatch(/expired at .* without a decision/);
  });

  it('still accepts the CTO a minute before the expiry', async () => {
    const world = engineWorld();
    const { approvalId } = await awaitingApproval(world);
    world.clock.advance(29 * MINUTE);
    expect((await answer(world, approvalId, PEOPLE.cto, 'approve')).approval.decision).toBe('approved');
  });
});

describe('expireApprovals (the runner’s sweep)', () => {
  it('expires nothing before the deadline, then the lapsed request: step and incident cancelled', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world);
    world.clock.advance(30 * MINUTE - 1);
    expect(await expireApprovals(world.deps)).toBe(0);
    world.clock.advance(1);
    expect(await expireApprovals(world.deps)).toBe(1);
    expect(await world.store.getApproval(approvalId)).toMatchObject({ decision: 'expired', decidedBy: undefined });
    expect((await world.store.steps(incidentId))[0]).toMatchObject({
      state: 'cancelled',
      finishedAt: world.clock.now(),
    });
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'cancelled' });
    expect(await world.kinds(incidentId)).toContain('approval_expired');
    expect(await expireApprovals(world.deps)).toBe(0);
  });
});

describe('schema rollback approvals', () => {
  it('refuses an approve before the data-loss estimate is ready', async () => {
    const world = engineWorld();
    const { approvalId } = await awaitingApproval(world, 'schema');
    await expect(answer(world, approvalId, PEOPLE.cto, 'approve')).rejects.toThrow(/estimate is not ready/);
  });

  it('prepares the estimate on the deployed commit’s migrations, once, and then the CTO may approve it', async () => {
    const world = engineWorld();
    const { incidentId, approvalId } = await awaitingApproval(world, 'schema');
    const open = await world.store.listIncidents({ openOnly: true, limit: 5 });
    expect(await prepareSchemaPlans(world.deps, open)).toBe(1);
    expect(await prepareSchemaPlans(world.deps, open)).toBe(0);
    const [step] = await world.store.steps(incidentId);
    expect(step?.input).toMatchObject({
      plan: { migrationName: '20260117_add_ai_features' },
      deployedCommit: world.application.bad.commitSha,
    });
    expect(world.code.calls).toMatchObject([
      { method: 'exportMigrations', input: { commit: world.application.bad.commitSha } },
    ]);
    expect(await world.kinds(incidentId)).toContain('schema_plan');
    expect((await answer(world, approvalId, PEOPLE.cto, 'approve')).approval.decision).toBe('approved');
  });

  it('never offers an unproven plan: the step is cancelled with the shadow verdict', async () => {
    const world = engineWorld();
    world.schema.blockers = ['table ai_features has no primary key'];
    const { incidentId } = await awaitingApproval(world, 'schema');
    await prepareSchemaPlans(world.deps, await world.store.listIncidents({ openOnly: true, limit: 5 }));
    const [step] = await world.store.steps(incidentId);
    expect(step).toMatchObject({ state: 'cancelled', error: { code: 'conflict' } });
    expect(step?.error?.message).toContain('no primary key');
    expect(await world.store.getIncident(incidentId)).toMatchObject({ state: 'cancelled' });
  });
});
