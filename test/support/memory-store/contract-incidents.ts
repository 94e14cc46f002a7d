/**
 * Contract cases of the incident and approval roles: the same cases run
 * against the in-memory fake and the PostgreSQL adapter, so the engine tests
 * on the fake see what production sees.
 */
import { codeOf } from '../error-code';
import type { NewIncidentApproval } from '../../../src/rollback/ports/incident-store';
import { type ContractSubject, SERVICE_A, SERVICE_B, anIncident, someSteps } from './contract-subject';

const approvalAt = (
  position: number,
  id: string,
  expiresAt = new Date('2026-01-17T10:30:00Z'),
): NewIncidentApproval => ({
  position,
  approval: {
    id,
    action: 'git-reset',
    requestedBy: 'U0DEVOPS1',
    requestedAt: new Date('2026-01-17T10:00:00Z'),
    expiresAt,
  },
  record: { actor: 'U0DEVOPS1', kind: 'approval_requested', message: `approval ${id} requested` },
});

export function incidentContract(subject: () => ContractSubject): void {
  const store = () => subject().store;

  describe('incidents', () => {
    it('opens an incident with its steps in order, its opening entry and its approvals together', async () => {
      const { incident, created } = await store().openIncident(
        anIncident(SERVICE_A),
        someSteps('code_reset', 'deploy', 'verification'),
        { actor: 'U0DEVOPS1', kind: 'opened', message: 'opened' },
        [approvalAt(1, 'A-open-1')],
      );
      expect(created).toBe(true);
      expect(incident).toMatchObject({ state: 'open', service: SERVICE_A, closedAt: undefined });
      const steps = await store().steps(incident.id);
      expect(steps.map((s) => [s.position, s.kind, s.state, s.attempts])).toEqual([
        [1, 'code_reset', 'pending', 0],
        [2, 'deploy', 'pending', 0],
        [3, 'verification', 'pending', 0],
      ]);
      expect(await store().approvalsFor(incident.id)).toMatchObject([
        { id: 'A-open-1', stepId: steps[0]?.id, decision: 'pending' },
      ]);
      expect((await store().timeline(incident.id)).map((t) => t.kind)).toEqual(['opened', 'approval_requested']);
    });

    it('lets a second request join the open incident of its service: nothing new is written', async () => {
      const first = await store().openIncident(anIncident(SERVICE_A), someSteps('application'), {
        actor: 'a',
        kind: 'opened',
        message: 'x',
      });
      const second = await store().openIncident(anIncident(SERVICE_A), someSteps('application', 'verification'), {
        actor: 'b',
        kind: 'opened',
        message: 'y',
      });
      expect(second).toEqual({ incident: first.incident, created: false });
      expect(await store().steps(first.incident.id)).toHaveLength(1);
      expect(await store().timeline(first.incident.id)).toHaveLength(1);
      const other = await store().openIncident(anIncident(SERVICE_B), []);
      expect(other.created).toBe(true);
    });

    it('opens a new incident once the open one is closed, and refuses to reopen the old one beside it', async () => {
      const first = await store().openIncident(anIncident(SERVICE_A), []);
      expect(await store().moveIncident(first.incident.id, 'open', 'resolved')).toMatchObject({ state: 'resolved' });
      const next = await store().openIncident(anIncident(SERVICE_A), []);
      expect(next.created).toBe(true);
      expect(await store().findOpenIncident(SERVICE_A)).toEqual(next.incident);
      expect(await codeOf(store().moveIncident(first.incident.id, 'resolved', 'open'))).toBe('conflict');
      expect(await codeOf(store().updateIncident(first.incident.id, { state: 'verifying' }))).toBe('conflict');
    });

    it('refuses a used id, an unknown service, an approval for a missing step (writing nothing)', async () => {
      const used = anIncident(SERVICE_A);
      const opened = await store().openIncident(used, []);
      await store().moveIncident(opened.incident.id, 'open', 'cancelled');
      expect(await codeOf(store().openIncident({ ...used, service: SERVICE_A }, []))).toBe('conflict');
      expect(await codeOf(store().openIncident(anIncident('svc-not-registered'), []))).toBe('not_found');
      const broken = anIncident(SERVICE_B);
      expect(
        await codeOf(store().openIncident(broken, someSteps('application'), undefined, [approvalAt(2, 'A-none')])),
      ).toBe('internal');
      expect(await store().getIncident(broken.id)).toBeUndefined();
      expect(await store().findOpenIncident(SERVICE_B)).toBeUndefined();
    });

    it('moves an incident by compare-and-set, writing its timeline entry only when it moved', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), []);
      const entry = { incidentId: incident.id, actor: 'rollback-bot', kind: 'incident_state', message: 'moved' };
      const closedAt = new Date('2026-01-17T10:09:00Z');
      const results = await Promise.all([
        store().moveIncident(incident.id, 'open', 'rolling_back', {}, entry),
        store().moveIncident(incident.id, 'open', 'cancelled', { closedAt }, entry),
      ]);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await store().moveIncident(incident.id, 'open', 'failed', {}, entry)).toBeUndefined();
      expect(await store().timeline(incident.id)).toHaveLength(1);
      expect(await store().moveIncident('INC-NOPE', 'open', 'failed')).toBeUndefined();
    });

    it('merges a patch: data shallowly, unset fields kept; an unknown incident is not found', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A, { severity: 'must' }), []);
      const at = new Date('2026-01-17T10:05:00Z');
      const updated = await store().updateIncident(incident.id, {
        decidedAt: at,
        threadTs: '1.2',
        data: { owner: 'U0CTO0001', draftsPosted: true },
      });
      expect(updated).toMatchObject({ severity: 'must', decidedAt: at, threadTs: '1.2', issue: incident.issue });
      expect(updated.data).toEqual({ ...incident.data, owner: 'U0CTO0001', draftsPosted: true });
      expect(await store().getIncident(incident.id)).toEqual(updated);
      expect(await codeOf(store().updateIncident('INC-NOPE', { issue: 'x' }))).toBe('not_found');
    });

    it('lists incidents newest first, by service, open only, up to the limit', async () => {
      const a1 = await store().openIncident(anIncident(SERVICE_A, { openedAt: new Date('2030-01-01T10:00:00Z') }), []);
      await store().moveIncident(a1.incident.id, 'open', 'resolved');
      const a2 = await store().openIncident(anIncident(SERVICE_A, { openedAt: new Date('2030-01-01T11:00:00Z') }), []);
      const b1 = await store().openIncident(anIncident(SERVICE_B, { openedAt: new Date('2030-01-01T12:00:00Z') }), []);
      expect((await store().listIncidents({ limit: 3 })).map((i) => i.id)).toEqual(
        [b1, a2, a1].map((o) => o.incident.id),
      );
      expect((await store().listIncidents({ service: SERVICE_A, limit: 2 })).map((i) => i.id)).toEqual([
        a2.incident.id,
        a1.incident.id,
      ]);
      expect((await store().listIncidents({ service: SERVICE_A, limit: 5, openOnly: true })).map((i) => i.id)).toEqual([
        a2.incident.id,
      ]);
      expect(await store().listIncidents({ limit: 1 })).toHaveLength(1);
    });
  });

  describe('approvals', () => {
    async function withStep(): Promise<{ incidentId: string; stepId: string }> {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), someSteps('schema'));
      const [step] = await store().steps(incident.id);
      return { incidentId: incident.id, stepId: step?.id ?? '' };
    }
    const request = (ids: { incidentId: string; stepId: string }, id: string, expiresAt: Date) => ({
      id,
      ...ids,
      action: 'schema-rollback' as const,
      requestedBy: 'U0DBADMIN',
      requestedAt: new Date('2026-01-17T10:00:00Z'),
      expiresAt,
    });

    it('creates an approval once per id: a retry gets the stored one, another use is refused', async () => {
      const ids = await withStep();
      const created = await store().createApproval(request(ids, 'A-idem', new Date('2026-01-17T10:30:00Z')));
      expect(created).toMatchObject({ decision: 'pending', decidedBy: undefined });
      await store().decideApproval('A-idem', 'approved', 'U0CTO0001', new Date('2026-01-17T10:01:00Z'));
      expect(await store().createApproval(request(ids, 'A-idem', new Date('2026-01-17T10:30:00Z')))).toMatchObject({
        decision: 'approved',
      });
      expect(await codeOf(store().createApproval({ ...request(ids, 'A-idem', new Date()), action: 'git-reset' }))).toBe(
        'conflict',
      );
      expect(await codeOf(store().createApproval(request({ ...ids, stepId: 'step-1' }, 'A-bad', new Date())))).toBe(
        'bad_input',
      );
      expect(
        await codeOf(store().createApproval(request({ ...ids, incidentId: 'INC-NOPE' }, 'A-nope', new Date()))),
      ).toBe('not_found');
    });

    it('decides an approval once: a double click or a second replica changes nothing', async () => {
      const ids = await withStep();
      await store().createApproval(request(ids, 'A-once', new Date('2026-01-17T10:30:00Z')));
      const at = new Date('2026-01-17T10:02:00Z');
      const results = await Promise.all([
        store().decideApproval('A-once', 'approved', 'U0CTO0001', at),
        store().decideApproval('A-once', 'rejected', 'U0BOTH001', at),
      ]);
      const [winner, ...losers] = results.filter((r) => r !== undefined);
      expect(losers).toHaveLength(0);
      expect(await store().getApproval('A-once')).toEqual(winner);
      expect(await store().decideApproval('A-once', 'expired', undefined, at)).toBeUndefined();
      expect(await store().decideApproval('A-missing', 'approved', 'U0CTO0001', at)).toBeUndefined();
    });

    it('lists pending approvals past their expiry soonest first, an incident’s in request order', async () => {
      const ids = await withStep();
      await store().createApproval(request(ids, 'A-late', new Date('2026-01-17T10:40:00Z')));
      await store().createApproval(request(ids, 'A-soon', new Date('2026-01-17T10:20:00Z')));
      await store().createApproval(request(ids, 'A-done', new Date('2026-01-17T10:10:00Z')));
      await store().decideApproval('A-done', 'rejected', 'U0CTO0001', new Date('2026-01-17T10:05:00Z'));
      const mine = ['A-late', 'A-soon', 'A-done'];
      const expired = (at: string) =>
        store()
          .expiredApprovals(new Date(at))
          .then((list) => list.map((a) => a.id).filter((id) => mine.includes(id)));
      expect(await expired('2026-01-17T10:19:59Z')).toEqual([]);
      expect(await expired('2026-01-17T10:20:00Z')).toEqual(['A-soon']);
      expect(await expired('2026-01-17T11:00:00Z')).toEqual(['A-soon', 'A-late']);
      expect((await store().approvalsFor(ids.incidentId)).map((a) => a.id)).toEqual(['A-done', 'A-late', 'A-soon']);
    });

    it('remembers the Slack message of an approval and refuses an unknown one', async () => {
      const ids = await withStep();
      await store().createApproval(request(ids, 'A-msg', new Date('2026-01-17T10:30:00Z')));
      await store().setApprovalMessage('A-msg', '1700000000.000100');
      expect(await store().getApproval('A-msg')).toMatchObject({ messageTs: '1700000000.000100' });
      expect(await codeOf(store().setApprovalMessage('A-unknown', '1.1'))).toBe('not_found');
    });
  });
}
