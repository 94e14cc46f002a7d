/** Approvals, the timeline and the deployment table in the PostgreSQL IncidentStore. */
import type { ApprovalRecord, StepRecord } from '../../src/rollback/ports/incident-store';
import { SERVICE, closeAllIncidents, newIncident, planSteps, useIncidentStore } from './incident-store-fixtures';

describe('PostgreSQL incident store: approvals, timeline, deployments', () => {
  const h = useIncidentStore('incident_store_records');

  beforeEach(() => closeAllIncidents(h.db));

  const requestedAt = new Date('2026-01-17T10:00:00Z');
  const expiresAt = new Date('2026-01-17T10:30:00Z');

  async function awaitingApproval(): Promise<StepRecord> {
    const { incident } = await h.store.openIncident(
      newIncident(),
      planSteps(['schema', 'awaiting_approval'], 'verification'),
    );
    return (await h.store.steps(incident.id))[0] as StepRecord;
  }

  function approvalFor(step: StepRecord, suffix = 'A1'): Omit<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt'> {
    return {
      id: `${step.incidentId}-${suffix}`,
      incidentId: step.incidentId,
      stepId: step.id,
      action: 'schema-rollback',
      requestedBy: 'U0DEVOPS1',
      requestedAt,
      expiresAt,
    };
  }

  it(
    'creates an approval pending, reads it back, and hands back the stored one when ' + 'the same request comes again',
    async () => {
      const step = await awaitingApproval();
      const created = await h.store.createApproval(approvalFor(step));
      expect(created).toEqual({
        ...approvalFor(step),
        decision: 'pending',
        decidedBy: undefined,
        decidedAt: undefined,
        messageTs: undefined,
      });
      await h.store.setApprovalMessage(created.id, '1768644000.000200');
      const again = await h.otherStore.createApproval(approvalFor(step));
      expect(again).toEqual({ ...created, messageTs: '1768644000.000200' });
      expect(await h.store.approvalsFor(step.incidentId)).toEqual([again]);
      expect(await h.store.getApproval(created.id)).toEqual(again);

      await expect(h.store.createApproval({ ...approvalFor(step), action: 'git-reset' })).rejects.toMatchObject({
        code: 'conflict',
      });
      await expect(
        h.store.createApproval({ ...approvalFor(step, 'A9'), incidentId: 'INC-NOPE' }),
      ).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(h.store.setApprovalMessage('nope', '1.2')).rejects.toMatchObject({ code: 'not_found' });
    },
  );

  it('decides an approval once: of an approve and a reject racing on two pools exactly one wins', async () => {
    const step = await awaitingApproval();
    const { id } = await h.store.createApproval(approvalFor(step));
    const at = new Date('2026-01-17T10:05:00Z');
    const [approved, rejected] = await Promise.all([
      h.store.decideApproval(id, 'approved', 'U0CTO0001', at),
      h.otherStore.decideApproval(id, 'rejected', 'U0CTO0002', at),
    ]);
    const winners = [approved, rejected].filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await h.store.getApproval(id);
    expect(stored).toMatchObject({ decision: winners[0]?.decision, decidedBy: winners[0]?.decidedBy, decidedAt: at });
    // A late expiry (the sweeper) finds it decided and changes nothing.
    expect(await h.store.decideApproval(id, 'expired', undefined, expiresAt)).toBeUndefined();
    expect(await h.store.getApproval(id)).toEqual(stored);
  });

  it('finds pending approvals whose expiry has passed (expiry instant included), and not decided ones', async () => {
    const lapsing = await h.store.createApproval(approvalFor(await awaitingApproval()));
    await closeAllIncidents(h.db);
    const decided = await h.store.createApproval(approvalFor(await awaitingApproval()));
    await h.store.decideApproval(decided.id, 'approved', 'U0CTO0001', requestedAt);
    await closeAllIncidents(h.db);
    const later = await h.store.createApproval({
      ...approvalFor(await awaitingApproval()),
      expiresAt: new Date('2026-01-17T11:00:00Z'),
    });

    const ids = async (at: string) =>
      (await h.store.expiredApprovals(new Date(at)))
        .map((a) => a.id)
        .filter((id) => [lapsing.id, decided.id, later.id].includes(id));
    expect(await ids('2026-01-17T10:29:59.999Z')).toEqual([]);
    expect(await ids('2026-01-17T10:30:00Z')).toEqual([lapsing.id]);
    expect(await ids('2026-01-17T12:00:00Z')).toEqual([lapsing.id, later.id]);
    await h.store.decideApproval(lapsing.id, 'expired', undefined, expiresAt);
    expect(await ids('2026-01-17T12:00:00Z')).toEqual([later.id]);
  });

  it(
    'appends to the timeline and reads it back in order; the database refuses to ' + 'change or delete an entry',
    async () => {
      const { incident } = await h.store.openIncident(newIncident(), []);
      const at = new Date('2026-01-17T10:00:05Z');
      await h.store.appendTimeline({
        incidentId: incident.id,
        service: SERVICE,
        at,
        actor: 'U0DEVOPS1',
        kind: 'opened',
        message: 'Opened',
        data: { a: 1 },
      });
      await h.otherStore.appendTimeline({
        incidentId: incident.id,
        actor: 'rollback-bot',
        kind: 'step',
        message: 'Step 1 running',
      });
      await h.store.appendTimeline({ service: SERVICE, actor: 'U0INTERN1', kind: 'refused', message: 'Not allowed' });

      const entries = await h.store.timeline(incident.id);
      expect(entries.map((e) => [e.kind, e.actor, e.message])).toEqual([
        ['opened', 'U0DEVOPS1', 'Opened'],
        ['step', 'rollback-bot', 'Step 1 running'],
      ]);
      expect(entries[0]).toMatchObject({ incidentId: incident.id, service: SERVICE, at, data: { a: 1 } });
      expect(entries[1]).toMatchObject({ service: undefined, data: {} });
      expect(entries[1]?.at).toBeInstanceOf(Date);
      expect(Number(entries[1]?.id)).toBeGreaterThan(Number(entries[0]?.id));

      await expect(
        h.db.query({ text: "UPDATE timeline SET message = 'edited' WHERE incident_id = $1", values: [incident.id] }),
      ).rejects.toThrow(/append-only/);
      await expect(
        h.db.query({ text: 'DELETE FROM timeline WHERE incident_id = $1', values: [incident.id] }),
      ).rejects.toThrow(/append-only/);
      expect((await h.store.timeline(incident.id)).map((e) => e.message)).toEqual(['Opened', 'Step 1 running']);
      await expect(
        h.store.appendTimeline({ incidentId: 'INC-NOPE', actor: 'x', kind: 'note', message: 'm' }),
      ).rejects.toMatchObject({ code: 'not_found' });
    },
  );

  it('records deployments piecemeal without erasing what was known, and lists them newest first', async () => {
    const service = 'svc-b';
    const seen = new Date('2026-01-16T09:00:00Z');
    await h.store.recordDeployment({
      service,
      deploymentId: 'dpl_old',
      url: 'https://old.vercel.app',
      servedFrom: new Date('2026-01-15T09:00:00Z'),
      firstSeenAt: seen,
    });
    await h.store.recordDeployment({
      service,
      deploymentId: 'dpl_new',
      url: 'https://new.vercel.app',
      firstSeenAt: seen,
    });
    await h.store.recordDeployment({
      service,
      deploymentId: 'dpl_new',
      commitSha: 'b7920c6',
      version: '1.9.0',
      servedFrom: new Date('2026-01-17T09:00:00Z'),
    });
    await h.store.recordDeployment({
      service,
      deploymentId: 'dpl_preview',
      firstSeenAt: new Date('2026-01-17T11:00:00Z'),
    });

    const listed = await h.store.deployments(service, 10);
    expect(listed.map((d) => d.deploymentId)).toEqual(['dpl_new', 'dpl_old', 'dpl_preview']);
    expect(listed[0]).toEqual({
      service,
      deploymentId: 'dpl_new',
      url: 'https://new.vercel.app',
      commitSha: 'b7920c6',
      version: '1.9.0',
      firstSeenAt: seen,
      servedFrom: new Date('2026-01-17T09:00:00Z'),
      servedUntil: undefined,
      lastKnownGoodAt: undefined,
      notes: undefined,
    });
    expect((await h.store.deployments(service, 1)).map((d) => d.deploymentId)).toEqual(['dpl_new']);
    expect(await h.store.deployments('svc-c', 10)).toEqual([]);
    await expect(h.store.recordDeployment({ service: 'not-configured', deploymentId: 'dpl_x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it(
    'marks the last known good, keeping earlier notes unless new ones are given, and ' +
      'records a deployment it had not seen',
    async () => {
      const service = 'svc-c';
      await h.store.recordDeployment({
        service,
        deploymentId: 'dpl_good',
        version: '1.9.0',
        notes: 'verified by probe',
      });
      const at = new Date('2026-01-17T10:10:00Z');
      await h.store.markLastKnownGood(service, 'dpl_good', at);
      await h.store.markLastKnownGood(service, 'dpl_unseen', at, 'named by the on-call engineer');
      await h.store.recordDeployment({ service, deploymentId: 'dpl_good', url: 'https://good.vercel.app' });

      const byId = new Map((await h.store.deployments(service, 10)).map((d) => [d.deploymentId, d]));
      expect(byId.get('dpl_good')).toMatchObject({
        lastKnownGoodAt: at,
        notes: 'verified by probe',
        version: '1.9.0',
        url: 'https://good.vercel.app',
      });
      expect(byId.get('dpl_unseen')).toMatchObject({ lastKnownGoodAt: at, notes: 'named by the on-call engineer' });
      expect(byId.get('dpl_unseen')?.firstSeenAt?.getTime()).toBeLessThanOrEqual(at.getTime());
    },
  );
});
