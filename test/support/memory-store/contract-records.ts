/**
 * Contract cases of the timeline, service lock, deployment and checklist
 * roles, against the in-memory fake and the PostgreSQL adapter alike.
 */
import { codeOf } from '../error-code';
import type { FollowUpItem } from '../../../src/rollback/follow-up/checklist';
import { type ContractSubject, SERVICE_A, SERVICE_B, SERVICE_C, anIncident } from './contract-subject';

export function recordContract(subject: () => ContractSubject): void {
  const store = () => subject().store;

  describe('timeline, locks, deployments, checklist', () => {
    it('appends to the timeline and reads it back in the order written; an unknown incident is refused', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), []);
      const at = new Date('2026-01-17T09:00:00Z');
      await store().appendTimeline({ incidentId: incident.id, actor: 'a', kind: 'first', message: 'one', at });
      await store().appendTimeline({
        incidentId: incident.id,
        actor: 'b',
        kind: 'second',
        message: 'two',
        data: { n: 2, when: at },
      });
      await store().appendTimeline({ service: SERVICE_A, actor: 'c', kind: 'refused', message: 'service only' });
      const entries = await store().timeline(incident.id);
      expect(entries.map((e) => [e.kind, e.data])).toEqual([
        ['first', {}],
        ['second', { n: 2, when: at.toISOString() }],
      ]);
      expect(entries[0]?.at).toEqual(at);
      expect(Math.abs((entries[1]?.at.getTime() ?? 0) - subject().now().getTime())).toBeLessThan(5_000);
      expect(Number(entries[1]?.id)).toBeGreaterThan(Number(entries[0]?.id));
      expect(
        await codeOf(store().appendTimeline({ incidentId: 'INC-NOPE', actor: 'a', kind: 'x', message: 'x' })),
      ).toBe('not_found');
    });

    it('holds one lock per service: others refused at once, other services run, a failure releases it', async () => {
      let release = (): void => undefined;
      const holding = store().withServiceLock(
        SERVICE_A,
        () => new Promise<string>((resolve) => (release = () => resolve('held'))),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await store().withServiceLock(SERVICE_A, async () => 'second')).toEqual({ ran: false });
      expect(await store().withServiceLock(SERVICE_B, async () => 'other')).toEqual({ ran: true, value: 'other' });
      release();
      expect(await holding).toEqual({ ran: true, value: 'held' });
      await expect(store().withServiceLock(SERVICE_A, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
        'boom',
      );
      expect(await store().withServiceLock(SERVICE_A, async () => 'again')).toEqual({ ran: true, value: 'again' });
    });

    it('records deployments piecemeal, newest serving first; last known good marks even an unseen one', async () => {
      const service = SERVICE_C;
      const t = (minute: number) => new Date(Date.UTC(2026, 0, 17, 9, minute));
      await store().recordDeployment({
        service,
        deploymentId: 'dpl_old',
        url: 'old.vercel.app',
        servedFrom: t(1),
        firstSeenAt: t(1),
      });
      await store().recordDeployment({ service, deploymentId: 'dpl_new', servedFrom: t(20), firstSeenAt: t(19) });
      await store().recordDeployment({ service, deploymentId: 'dpl_old', version: '1.9.0', firstSeenAt: t(30) });
      await store().recordDeployment({ service, deploymentId: 'dpl_preview', firstSeenAt: t(40) });
      await store().markLastKnownGood(service, 'dpl_old', t(50), 'restored by INC-1');
      await store().markLastKnownGood(service, 'dpl_old', t(51));
      await store().markLastKnownGood(service, 'dpl_unseen', t(52), 'by hand');
      const list = await store().deployments(service, 10);
      expect(list.map((d) => d.deploymentId)).toEqual(['dpl_new', 'dpl_old', 'dpl_unseen', 'dpl_preview']);
      expect(list[1]).toMatchObject({
        url: 'old.vercel.app',
        version: '1.9.0',
        firstSeenAt: t(1),
        lastKnownGoodAt: t(51),
        notes: 'restored by INC-1',
      });
      expect(list[2]).toMatchObject({ lastKnownGoodAt: t(52), notes: 'by hand', firstSeenAt: t(52) });
      expect(await store().deployments(service, 1)).toHaveLength(1);
      expect(await codeOf(store().recordDeployment({ service: 'svc-not-registered', deploymentId: 'dpl_x' }))).toBe(
        'not_found',
      );
    });

    it('starts a checklist once, changes it as a whole or not at all, and finds the items due', async () => {
      const { incident } = await store().openIncident(anIncident(SERVICE_A), []);
      const item = (id: FollowUpItem['id'], minute: number): FollowUpItem => ({
        id,
        title: id,
        dueAt: new Date(Date.UTC(2026, 0, 17, 11, minute)),
      });
      const started = await store().startFollowUps(incident.id, [item('verify_health', 0), item('post_mortem', 30)]);
      expect(started.map((i) => i.id)).toEqual(['verify_health', 'post_mortem']);
      expect((await store().startFollowUps(incident.id, [item('lessons_learned', 5)])).map((i) => i.id)).toEqual([
        'verify_health',
        'post_mortem',
      ]);
      const doneAt = new Date(Date.UTC(2026, 0, 17, 11, 1));
      const refused = store().changeFollowUps(incident.id, () => {
        throw new Error('refused');
      });
      await expect(refused).rejects.toThrow('refused');
      const { before, after } = await store().changeFollowUps(incident.id, (items) =>
        items.map((i) => (i.id === 'verify_health' ? { ...i, doneAt, doneBy: 'U0DEVOPS1' } : i)),
      );
      expect(before[0]?.doneAt).toBeUndefined();
      expect(await store().followUps(incident.id)).toEqual(after);
      expect(await store().incidentsWithDueFollowUps(new Date(Date.UTC(2026, 0, 17, 11, 29)))).not.toContain(
        incident.id,
      );
      expect(await store().incidentsWithDueFollowUps(new Date(Date.UTC(2026, 0, 17, 11, 30)))).toContain(incident.id);
      const open = (await store().openFollowUps(100)).filter((o) => o.incidentId === incident.id);
      expect(open.map((o) => [o.service, o.item.id])).toEqual([[SERVICE_A, 'post_mortem']]);
      expect(await codeOf(store().startFollowUps('INC-NOPE', [item('post_mortem', 0)]))).toBe('not_found');
    });
  });
}
