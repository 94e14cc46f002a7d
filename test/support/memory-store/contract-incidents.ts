/**
 * Contract cases of the incident, approval, timeline, lock, deployment and
 * checklist roles: the same cases run against the in-memory fake and the
 * PostgreSQL adapter, so the engine tests on the fake see what production sees.
 */
import type { FollowUpItem } from '../../../src/rollback/follow-up/checklist';
import type { RollbackError } from '../../../src/rollback/errors';
import type { NewIncidentApproval } from '../../../src/rollback/ports/incident-store';
import { type ContractSubject, SERVICE_A, SERVICE_B, SERVICE_C, anIncident, someSteps } from './contract-subject';

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: RollbackError) => error.code,
  );

const approvalAt = (position: number, id: string, expiresAt = new Date('2026-01-17T10:30:00Z')): NewIncidentApproval => ({
  position,
  approval: { id, action: 'git-reset', requestedBy: 'U0DEVOPS1', requestedAt: new Date('2026-01-17T10:00:00Z'), expiresAt },
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
      expect(await store().approvalsFor(incident.id)).toMatchObject([{ id: 'A-open-1', stepId: steps[0]?.id, decision: 'pending' }]);
      expect((await store().timeline(incident.id)).map((t) => t.kind)).toEqual(['opened', 'approval_requested']);
    });

    it('lets a second request join the open incident of its service: nothing new is written', async () => {
      const first = await store().openIncident(anIncident(SERVICE_A), someSteps('application'), { actor: 'a', kind: 'opened', message: 'x' });
      const second = await store().openIncident(anIncident(SERVICE_A), someSteps('application', 'verification'), { actor: 'b', kind: 'opened', message: 'y' });
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

    it('refuses a used incident id, an unknown service, and an approval for a step the plan has not (writing nothing)', async () => {
      const used = anIncident(SERVICE_A);
      const opened = await store().openIncident(used, []);
      await store().moveIncident(opened.incident.id, 'open', 'cancelled');
      expect(await codeOf(store().openIncident({ ...used, service: SERVICE_A }, []))).toBe('conflict');
      expect(await codeOf(store().openIncident(anIncident('svc-not-registered'), []))).toBe('not_found');
      const broken = anIncident(SERVICE_B);
      expect(await codeOf(store().openIncident(broken, someSteps('application'), undefined, [approvalAt(2, 'A-none')]))).toBe('internal');
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
      const updated = await store().updateIncident(incident.id, { decidedAt: at, threadTs: '1.2', data: { owner: 'U0CTO0001', draftsPosted: true } });
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
      expect((await store().listIncidents({ limit: 3 })).map((i) => i.id)).toEqual([b1, a2, a1].map((o) => o.incident.id));
      expect((await store().listIncidents({ service: SERVICE_A, limit: 2 })).map((i) => i.id)).toEqual([a2.incident.id, a1.incident.id]);
      expect((await store().listIncidents({ service: SERVICE_A, limit: 5, openOnly: true })).map((i) => i.id)).toEqual([a2.incident.id]);
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

    it('creates an approval once per id: the same request again gets the stored one, another use of the id is refused', async () => {
      const ids = await withStep();
      const created = await store().createApproval(request(ids, 'A-idem', new Date('2026-01-17T10:30:00Z')));
      expect(created).toMatchObject({ decision: 'pending', decidedBy: undefined });
      await store().decideApproval('A-idem', 'approved', 'U0CTO0001', new Date('2026-01-17T10:01:00Z'));
      expect(await store().createApproval(request(ids, 'A-idem', new Date('2026-01-17T10:30:00Z')))).toMatchObject({ decision: 'approved' });
      expect(await codeOf(store().createApproval({ ...request(ids, 'A-idem', new Date()), action: 'git-reset' }))).toBe('conflict');
      expect(await codeOf(store().createApproval(request({ ...ids, stepId: 'step-1' }, 'A-bad', new Date())))).toBe('bad_input');
      expect(await codeOf(store().createApproval(request({ ...ids, incidentId: 'INC-NOPE' }, 'A-nope', new Date())))).toBe('not_found');
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

    it('lists the pending approvals whose expiry passed, soonest first, and the approvals of an incident in request order', async () => {
      const ids = await withStep();
      await store().createApproval(request(ids, 'A-late', new Date('2026-01-17T10:40:00Z')));
      await store().createApproval(request(ids, 'A-soon', new Date('2026-01-17T10:20:00Z')));
      await store().createApproval(request(ids, 'A-done', new Date('2026-01-17T10:10:00Z')));
      await store().decideApproval('A-done', 'rejected', 'U0CTO0001', new Date('2026-01-17T10:05:00Z'));
      const mine = ['A-late', 'A-soon', 'A-done'];
      const expired = (at: string) => store().expiredApprovals(new Date(at)).then((list) => list.map((a) => a.id).filter((id) => mine.includes(id)));
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

  describe('timeline, locks, deployments, checklist', () => {
    it('appends to the timeline and reads it back in the order written; an unknown incident is refused', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), []);
      const at = new Date('2026-01-17T09:00:00Z');
      await store().appendTimeline({ incidentId: incident.id, actor: 'a', kind: 'first', message: 'one', at });
      await store().appendTimeline({ incidentId: incident.id, actor: 'b', kind: 'second', message: 'two', data: { n: 2, when: at } });
      await store().appendTimeline({ service: SERVICE_A, actor: 'c', kind: 'refused', message: 'service only' });
      const entries = await store().timeline(incident.id);
      expect(entries.map((e) => [e.kind, e.data])).toEqual([['first', {}], ['second', { n: 2, when: at.toISOString() }]]);
      expect(entries[0]?.at).toEqual(at);
      expect(Math.abs((entries[1]?.at.getTime() ?? 0) - subject().now().getTime())).toBeLessThan(5_000);
      expect(Number(entries[1]?.id)).toBeGreaterThan(Number(entries[0]?.id));
      expect(await codeOf(store().appendTimeline({ incidentId: 'INC-NOPE', actor: 'a', kind: 'x', message: 'x' }))).toBe('not_found');
    });

    it('holds one lock per service: another caller is refused at once, other services run, a failure releases it', async () => {
      let release = (): void => undefined;
      const holding = store().withServiceLock(SERVICE_A, () => new Promise<string>((resolve) => (release = () => resolve('held'))));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await store().withServiceLock(SERVICE_A, async () => 'second')).toEqual({ ran: false });
      expect(await store().withServiceLock(SERVICE_B, async () => 'other')).toEqual({ ran: true, value: 'other' });
      release();
      expect(await holding).toEqual({ ran: true, value: 'held' });
      await expect(store().withServiceLock(SERVICE_A, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await store().withServiceLock(SERVICE_A, async () => 'again')).toEqual({ ran: true, value: 'again' });
    });

    it('records deployments piecemeal, never blanking what is known, newest serving first; last known good marks even an unseen one', async () => {
      const service = SERVICE_C;
      const t = (minute: number) => new Date(Date.UTC(2026, 0, 17, 9, minute));
      await store().recordDeployment({ service, deploymentId: 'dpl_old', url: 'old.vercel.app', servedFrom: t(1), firstSeenAt: t(1) });
      await store().recordDeployment({ service, deploymentId: 'dpl_new', servedFrom: t(20), firstSeenAt: t(19) });
      await store().recordDeployment({ service, deploymentId: 'dpl_old', version: '1.9.0', firstSeenAt: t(30) });
      await store().recordDeployment({ service, deploymentId: 'dpl_preview', firstSeenAt: t(40) });
      await store().markLastKnownGood(service, 'dpl_old', t(50), 'restored by INC-1');
      await store().markLastKnownGood(service, 'dpl_old', t(51));
      await store().markLastKnownGood(service, 'dpl_unseen', t(52), 'by hand');
      const list = await store().deployments(service, 10);
      expect(list.map((d) => d.deploymentId)).toEqual(['dpl_new', 'dpl_old', 'dpl_unseen', 'dpl_preview']);
      expect(list[1]).toMatchObject({ url: 'old.vercel.app', version: '1.9.0', firstSeenAt: t(1), lastKnownGoodAt: t(51), notes: 'restored by INC-1' });
      expect(list[2]).toMatchObject({ lastKnownGoodAt: t(52), notes: 'by hand', firstSeenAt: t(52) });
      expect(await store().deployments(service, 1)).toHaveLength(1);
      expect(await codeOf(store().recordDeployment({ service: 'svc-not-registered', deploymentId: 'dpl_x' }))).toBe('not_found');
    });

    it('starts a checklist once, changes it as a whole or not at all, and finds the items due', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), []);
      const item = (id: FollowUpItem['id'], minute: number): FollowUpItem => ({ id, title: id, dueAt: new Date(Date.UTC(2026, 0, 17, 11, minute)) });
      const started = await store().startFollowUps(incident.id, [item('verify_health', 0), item('post_mortem', 30)]);
      expect(started.map((i) => i.id)).toEqual(['verify_health', 'post_mortem']);
      expect((await store().startFollowUps(incident.id, [item('lessons_learned', 5)])).map((i) => i.id)).toEqual(['verify_health', 'post_mortem']);
      const doneAt = new Date(Date.UTC(2026, 0, 17, 11, 1));
      const refused = store().changeFollowUps(incident.id, () => {
        throw new Error('refused');
      });
      await expect(refused).rejects.toThrow('refused');
      const { before, after } = await store().changeFollowUps(incident.id, (items) => items.map((i) => (i.id === 'verify_health' ? { ...i, doneAt, doneBy: 'U0DEVOPS1' } : i)));
      expect(before[0]?.doneAt).toBeUndefined();
      expect(await store().followUps(incident.id)).toEqual(after);
      expect(await store().incidentsWithDueFollowUps(new Date(Date.UTC(2026, 0, 17, 11, 29)))).not.toContain(incident.id);
      expect(await store().incidentsWithDueFollowUps(new Date(Date.UTC(2026, 0, 17, 11, 30)))).toContain(incident.id);
      const open = (await store().openFollowUps(100)).filter((o) => o.incidentId === incident.id);
      expect(open.map((o) => [o.service, o.item.id])).toEqual([[SERVICE_A, 'post_mortem']]);
      expect(await codeOf(store().startFollowUps('INC-NOPE', [item('post_mortem', 0)]))).toBe('not_found');
    });
  });
}
