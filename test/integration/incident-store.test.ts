/** Incidents in the PostgreSQL IncidentStore: opening (one per service), patching, compare-and-set moves, listing. */
import {
  OTHER_SERVICES,
  SERVICE,
  closeAllIncidents,
  newIncident,
  planSteps,
  useIncidentStore,
} from './incident-store-fixtures';

describe('PostgreSQL incident store: incidents', () => {
  const h = useIncidentStore('incident_store');

  beforeEach(() => closeAllIncidents(h.db));

  it(
    'opens an incident with its steps in one go and reads it back as a record ' +
      '(camelCase, Dates, undefined for NULL)',
    async () => {
      const detectedAt = new Date('2026-01-17T09:58:00Z');
      const asked = newIncident({ severity: 'must', detectedAt });
      const { incident, created } = await h.store.openIncident(asked, planSteps('application', 'verification'));

      expect(created).toBe(true);
      expect(incident).toEqual({
        id: asked.id,
        service: SERVICE,
        state: 'open',
        severity: 'must',
        issue: asked.issue,
        trigger: asked.trigger,
        openedBy: 'U0DEVOPS1',
        openedAt: asked.openedAt,
        impactStartedAt: undefined,
        detectedAt,
        decidedAt: undefined,
        restoredAt: undefined,
        closedAt: undefined,
        channelId: 'C0PRODALRT',
        threadTs: undefined,
        data: asked.data,
      });
      expect(await h.otherStore.getIncident(asked.id)).toEqual(incident);
      const steps = await h.store.steps(asked.id);
      expect(steps.map((s) => [s.position, s.kind, s.state, s.input, s.attempts])).toEqual([
        [1, 'application', 'pending', { n: 1 }, 0],
        [2, 'verification', 'pending', { n: 2 }, 0],
      ]);
      expect(steps[0]).toMatchObject({
        output: undefined,
        error: undefined,
        claimedBy: undefined,
        startedAt: undefined,
        finishedAt: undefined,
      });
      expect(steps[0]?.updatedAt).toBeInstanceOf(Date);
    },
  );

  it('stores the approvals a plan needs with the incident, in the same transaction: all of it or none', async () => {
    const requestedAt = new Date('2026-01-17T10:00:00Z');
    const expiresAt = new Date('2026-01-17T10:30:00Z');
    const asked = newIncident();
    const approval = (position: number) => ({
      position,
      approval: {
        id: `${asked.id}-A${position}`,
        action: 'schema-rollback' as const,
        requestedBy: 'U0DEVOPS1',
        requestedAt,
        expiresAt,
      },
      record: {
        service: SERVICE,
        actor: 'U0DEVOPS1',
        kind: 'approval_requested',
        message: 'CTO approval requested for schema-rollback.',
      },
    });
    await h.store.openIncident(asked, planSteps(['schema', 'awaiting_approval'], 'verification'), undefined, [
      approval(1),
    ]);
    const [step] = await h.store.steps(asked.id);
    expect(await h.store.approvalsFor(asked.id)).toEqual([
      expect.objectContaining({ id: `${asked.id}-A1`, stepId: step?.id, decision: 'pending', expiresAt }),
    ]);
    expect((await h.store.timeline(asked.id)).map((t) => t.kind)).toEqual(['approval_requested']);

    await closeAllIncidents(h.db);
    // An approval for a step the plan does not have fails the whole opening: no incident without the approval it needs.
    const broken = newIncident();
    await expect(
      h.store.openIncident(broken, planSteps(['schema', 'awaiting_approval']), undefined, [approval(2)]),
    ).rejects.toThrow(/no step at position 2/);
    expect(await h.store.getIncident(broken.id)).toBeUndefined();
    expect(await h.store.steps(broken.id)).toEqual([]);
  });

  it('joins the open incident on a second request for the service: created=false and nothing is inserted', async () => {
    const first = await h.store.openIncident(newIncident(), planSteps('application', 'verification'));
    const second = newIncident();
    const joined = await h.store.openIncident(second, planSteps('code_revert', 'deploy', 'verification'));

    expect(joined).toEqual({ incident: first.incident, created: false });
    expect(await h.store.getIncident(second.id)).toBeUndefined();
    expect(await h.store.steps(second.id)).toEqual([]);
    expect((await h.store.steps(first.incident.id)).map((s) => s.kind)).toEqual(['application', 'verification']);
  });

  it('lets exactly one of two concurrent requests (two pools) create the incident; the other joins it', async () => {
    for (const service of OTHER_SERVICES.slice(0, 4)) {
      const a = newIncident({ service });
      const b = newIncident({ service });
      const [fromA, fromB] = await Promise.all([
        h.store.openIncident(a, planSteps('application', 'verification')),
        h.otherStore.openIncident(b, planSteps('schema', 'verification')),
      ]);
      expect([fromA.created, fromB.created].sort()).toEqual([false, true]);
      expect(fromA.incident.id).toBe(fromB.incident.id);
      const loser = fromA.created ? b : a;
      expect(await h.store.getIncident(loser.id)).toBeUndefined();
      expect(await h.store.steps(loser.id)).toEqual([]);
      expect(await h.store.steps(fromA.incident.id)).toHaveLength(2);
      expect((await h.store.listIncidents({ service, limit: 10, openOnly: true })).map((i) => i.id)).toEqual([
        fromA.incident.id,
      ]);
    }
  });

  it('opens a new incident once the previous one of the service is closed', async () => {
    const first = await h.store.openIncident(newIncident(), []);
    await h.store.moveIncident(first.incident.id, 'open', 'resolved');
    const second = await h.store.openIncident(newIncident(), planSteps('application'));
    expect(second.created).toBe(true);
    expect(second.incident.id).not.toBe(first.incident.id);
    expect((await h.store.findOpenIncident(SERVICE))?.id).toBe(second.incident.id);
  });

  it('refuses an unknown service with not_found and a reused incident id with conflict', async () => {
    await expect(h.store.openIncident(newIncident({ service: 'not-configured' }), [])).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('not-configured'),
    });
    const old = await h.store.openIncident(newIncident(), []);
    await h.store.moveIncident(old.incident.id, 'open', 'cancelled');
    await expect(
      h.store.openIncident(newIncident({ id: old.incident.id }), planSteps('application')),
    ).rejects.toMatchObject({
      code: 'conflict',
      retryable: true,
    });
    // Nothing of the refused request stayed behind.
    expect(await h.store.findOpenIncident(SERVICE)).toBeUndefined();
    expect(await h.store.steps(old.incident.id)).toEqual([]);
  });

  it('merges data shallowly on updateIncident and leaves fields it was not given alone', async () => {
    const { incident } = await h.store.openIncident(newIncident({ severity: 'should' }), []);
    await h.store.updateIncident(incident.id, {
      data: { facts: { version: '1.9.0' }, targetSummary: '1.9.0 (commit b7920c6)' },
    });
    const threadTs = '1768644000.000100';
    const updated = await h.store.updateIncident(incident.id, {
      threadTs,
      data: { facts: { commit: 'b7920c6' }, draftsPosted: true },
    });

    expect(updated.data).toEqual({
      ...incident.data,
      targetSummary: '1.9.0 (commit b7920c6)',
      facts: { commit: 'b7920c6' },
      draftsPosted: true,
    });
    expect(updated).toMatchObject({
      threadTs,
      severity: 'should',
      state: 'open',
      issue: incident.issue,
      openedAt: incident.openedAt,
    });
    await expect(h.store.updateIncident('INC-NOPE', { threadTs })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('moves an incident by compare-and-set: of two concurrent moves from open exactly one wins', async () => {
    const { incident } = await h.store.openIncident(newIncident(), []);
    const closedAt = new Date('2026-01-17T10:30:00Z');
    const [rolling, cancelled] = await Promise.all([
      h.store.moveIncident(incident.id, 'open', 'rolling_back'),
      h.otherStore.moveIncident(incident.id, 'open', 'cancelled', {
        closedAt,
        data: { facts: { why: 'false alarm' } },
      }),
    ]);
    const winners = [rolling, cancelled].filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await h.store.getIncident(incident.id);
    expect(stored?.state).toBe(winners[0]?.state);
    if (cancelled) expect(stored).toMatchObject({ closedAt, data: { facts: { why: 'false alarm' } } });
    else expect(stored?.closedAt).toBeUndefined();
    // A stale `from` changes nothing, the patch included.
    expect(await h.store.moveIncident(incident.id, 'open', 'failed', { closedAt })).toBeUndefined();
    expect(await h.store.getIncident(incident.id)).toEqual(stored);
  });

  it('lists incidents newest first, by service, open only, up to the limit', async () => {
    const ids: string[] = [];
    for (const service of [SERVICE, 'svc-b', 'svc-c']) {
      const { incident } = await h.store.openIncident(newIncident({ service }), []);
      ids.push(incident.id);
    }
    await h.store.moveIncident(ids[1] as string, 'open', 'resolved');

    const newest = await h.store.listIncidents({ limit: 3 });
    expect(newest.map((i) => i.id)).toEqual([...ids].reverse());
    expect((await h.store.listIncidents({ limit: 2 })).map((i) => i.id)).toEqual([ids[2], ids[1]]);
    expect((await h.store.listIncidents({ limit: 10, openOnly: true })).map((i) => i.id)).toEqual([ids[2], ids[0]]);
    const ofB = await h.store.listIncidents({ service: 'svc-b', limit: 10 });
    expect(ofB.every((i) => i.service === 'svc-b')).toBe(true);
    expect(ofB[0]?.id).toBe(ids[1]);
    expect(await h.store.listIncidents({ service: 'svc-b', limit: 10, openOnly: true })).toEqual([]);
  });
});
