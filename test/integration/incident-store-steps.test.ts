/**
 * Steps in the PostgreSQL IncidentStore: compare-and-set moves, adding steps, claiming runnable ones, reconciliation.
 */
import { Client } from 'pg';
import type { StepRecord } from '../../src/rollback/ports/incident-store';
import {
  OTHER_SERVICES,
  SERVICE,
  closeAllIncidents,
  newIncident,
  planSteps,
  useIncidentStore,
} from './incident-store-fixtures';

describe('PostgreSQL incident store: steps', () => {
  const h = useIncidentStore('incident_store_steps');

  beforeEach(() => closeAllIncidents(h.db));

  async function open(service: string, ...kinds: Parameters<typeof planSteps>): Promise<StepRecord[]> {
    const { incident, created } = await h.store.openIncident(newIncident({ service }), planSteps(...kinds));
    expect(created).toBe(true);
    return h.store.steps(incident.id);
  }

  const backdate = (stepId: string, interval: string) =>
    h.db.query({
      text: `UPDATE steps SET updated_at = now() - $2::interval WHERE id = $1`,
      values: [stepId, interval],
    });

  it(
    'stamps a move to running with startedAt and an attempt, a final move with ' +
      'finishedAt, and every move with updatedAt',
    async () => {
      const [step] = await open(SERVICE, 'application');
      if (!step) throw new Error('no step');
      await backdate(step.id, '1 hour');
      const before = Date.now() - 60_000;

      const running = await h.store.moveStep(step.id, 'pending', 'running', {
        countAttempt: true,
        claimedBy: 'worker-1',
      });
      expect(running).toMatchObject({ state: 'running', attempts: 1, claimedBy: 'worker-1', finishedAt: undefined });
      expect(running?.startedAt?.getTime()).toBeGreaterThan(before);
      expect(running?.updatedAt.getTime()).toBeGreaterThan(before);

      // A patch while running (same state) keeps the start time and the attempt count.
      await backdate(step.id, '1 hour');
      const patched = await h.store.moveStep(step.id, 'running', 'running', { input: { targetId: 'dpl_good' } });
      expect(patched).toMatchObject({ input: { targetId: 'dpl_good' }, attempts: 1, startedAt: running?.startedAt });
      expect(patched?.updatedAt.getTime()).toBeGreaterThan(before);

      const done = await h.store.moveStep(step.id, 'running', 'succeeded', {
        output: { method: 'instant-rollback' },
        claimedBy: null,
      });
      expect(done).toMatchObject({
        state: 'succeeded',
        output: { method: 'instant-rollback' },
        claimedBy: undefined,
        attempts: 1,
      });
      expect(done?.finishedAt?.getTime()).toBeGreaterThan(before);
      expect(await h.store.getStep(step.id)).toEqual(done);
    },
  );

  it('uses the startedAt and finishedAt it is given (the engine clock) instead of the database clock', async () => {
    const [step] = await open(SERVICE, 'deploy');
    const startedAt = new Date('2026-01-17T10:01:00Z');
    const finishedAt = new Date('2026-01-17T10:04:00Z');
    await h.store.moveStep(step?.id as string, 'pending', 'running', { startedAt });
    const failed = await h.store.moveStep(step?.id as string, 'running', 'failed', {
      finishedAt,
      error: { code: 'external', message: 'Build failed.' },
    });
    expect(failed).toMatchObject({
      startedAt,
      finishedAt,
      attempts: 0,
      error: { code: 'external', message: 'Build failed.' },
    });
  });

  it('keeps error and claimedBy when the patch omits them and clears them when it passes null', async () => {
    const [step] = await open(SERVICE, 'application');
    const id = step?.id as string;
    const error = { code: 'external', message: 'Vercel answered 500.', fix: 'Retry.' };
    await h.store.moveStep(id, 'pending', 'running', { error, claimedBy: 'worker-1' });
    expect(await h.store.moveStep(id, 'running', 'unknown', { output: { partial: true } })).toMatchObject({
      error,
      claimedBy: 'worker-1',
    });
    const cleared = await h.store.moveStep(id, 'unknown', 'pending', { error: null, claimedBy: null });
    expect(cleared).toMatchObject({
      state: 'pending',
      error: undefined,
      claimedBy: undefined,
      output: { partial: true },
    });
  });

  it(
    'moves a step by compare-and-set: of two replicas starting it at once exactly one ' +
      'wins, and a stale from changes nothing',
    async () => {
      const [step] = await open(SERVICE, 'application');
      const id = step?.id as string;
      const results = await Promise.all([
        h.store.moveStep(id, 'pending', 'running', { countAttempt: true, claimedBy: 'replica-1' }),
        h.otherStore.moveStep(id, 'pending', 'running', { countAttempt: true, claimedBy: 'replica-2' }),
      ]);
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      const stored = await h.store.getStep(id);
      expect(stored).toMatchObject({ state: 'running', attempts: 1, claimedBy: winners[0]?.claimedBy });

      expect(await h.store.moveStep(id, 'pending', 'cancelled')).toBeUndefined();
      expect(await h.store.getStep(id)).toEqual(stored);
      expect(await h.store.getStep('not-a-step')).toBeUndefined();
      expect(await h.store.moveStep('999999999', 'pending', 'running')).toBeUndefined();
    },
  );

  it('adds steps after the existing ones in the given order, and refuses to add to a closed incident', async () => {
    const existing = await open(SERVICE, ['code_revert', 'succeeded']);
    const incidentId = existing[0]?.incidentId as string;
    const added = await h.store.addSteps(incidentId, [
      { position: 2, kind: 'verification', state: 'pending', input: {} },
      { position: 1, kind: 'deploy', state: 'pending', input: { commit: 'b7920c6' } },
    ]);
    expect(added.map((s) => [s.position, s.kind])).toEqual([
      [2, 'deploy'],
      [3, 'verification'],
    ]);
    expect((await h.store.steps(incidentId)).map((s) => s.kind)).toEqual(['code_revert', 'deploy', 'verification']);

    await h.store.moveIncident(incidentId, 'open', 'resolved');
    await expect(h.store.addSteps(incidentId, planSteps('deploy'))).rejects.toMatchObject({ code: 'conflict' });
    await expect(h.store.addSteps('INC-NOPE', planSteps('deploy'))).rejects.toMatchObject({ code: 'not_found' });
  });

  it(
    'claims only runnable steps: next in line, pending without approval or approved, ' +
      'of an open incident; in incident then position order',
    async () => {
      const [svcB, svcC, svcD, svcE, svcF] = OTHER_SERVICES;
      const app = await open(SERVICE, 'application', 'verification');
      const afterRevert = await open(svcB, ['code_revert', 'succeeded'], 'deploy', 'verification');
      const blocked = await open(svcC, ['code_revert', 'failed'], 'deploy');
      const unapproved = await open(svcD, 'schema', 'code_reset');
      const approved = await open(svcE, ['code_reset', 'approved'], 'deploy');
      const closed = await open(svcF, 'application');
      await h.store.moveIncident(closed[0]?.incidentId as string, 'open', 'cancelled');
      await h.store.moveIncident(afterRevert[0]?.incidentId as string, 'open', 'rolling_back');

      const claimed = await h.store.claimRunnable('worker-1', 10);
      expect(claimed.map((s) => s.id)).toEqual([app[0]?.id, afterRevert[1]?.id, approved[0]?.id]);
      expect(claimed.every((s) => s.claimedBy === 'worker-1')).toBe(true);
      expect((await h.store.getStep(app[0]?.id as string))?.claimedBy).toBe('worker-1');
      // Nothing else was touched.
      for (const step of [...blocked, ...unapproved, ...closed])
        expect((await h.store.getStep(step.id))?.claimedBy).toBeUndefined();

      expect((await h.store.claimRunnable('worker-1', 2)).map((s) => s.id)).toEqual([app[0]?.id, afterRevert[1]?.id]);
      expect(await h.store.claimRunnable('worker-1', 0)).toEqual([]);
    },
  );

  it('hands two concurrent claimers on two pools disjoint sets that together cover every runnable step', async () => {
    const runnable: string[] = [];
    for (const service of [SERVICE, ...OTHER_SERVICES])
      runnable.push((await open(service, 'application'))[0]?.id as string);

    const [one, two] = await Promise.all([
      h.store.claimRunnable('worker-1', 5),
      h.otherStore.claimRunnable('worker-2', 5),
    ]);
    const ids = [...one, ...two].map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...runnable].sort());
    expect(one.every((s) => s.claimedBy === 'worker-1') && two.every((s) => s.claimedBy === 'worker-2')).toBe(true);
    // Live claims keep a third worker away.
    expect(await h.store.claimRunnable('worker-3', 10)).toEqual([]);
  });

  it('passes over a step another transaction holds (SKIP LOCKED) instead of waiting for it', async () => {
    const held = (await open(SERVICE, 'application'))[0]?.id as string;
    const free = (await open('svc-b', 'application'))[0]?.id as string;
    const other = new Client({ connectionString: h.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM steps WHERE id = $1 FOR UPDATE', [held]);
      const claimed = await Promise.race([
        h.store.claimRunnable('worker-1', 10),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('claimRunnable waited for a locked row')), 5_000).unref(),
        ),
      ]);
      expect(claimed.map((s) => s.id)).toEqual([free]);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect((await h.store.claimRunnable('worker-2', 10)).map((s) => s.id)).toEqual([held]);
  });

  it(
    'lets a claim lapse after the lease (its worker died before starting), and lets a ' +
      'worker take its own claim again',
    async () => {
      const [step] = await open(SERVICE, 'application');
      const id = step?.id as string;
      expect((await h.store.claimRunnable('worker-1', 1)).map((s) => s.id)).toEqual([id]);
      expect(await h.otherStore.claimRunnable('worker-2', 1)).toEqual([]);
      expect((await h.store.claimRunnable('worker-1', 1)).map((s) => s.id)).toEqual([id]);

      await backdate(id, '61 seconds');
      const taken = await h.otherStore.claimRunnable('worker-2', 1);
      expect(taken.map((s) => [s.id, s.claimedBy])).toEqual([[id, 'worker-2']]);
      // Giving a claim back (lock busy) makes the step free for anyone at once.
      await h.otherStore.moveStep(id, 'pending', 'pending', { claimedBy: null });
      expect((await h.store.claimRunnable('worker-3', 1)).map((s) => s.id)).toEqual([id]);
    },
  );

  it('lists every running step for reconciliation after a restart', async () => {
    const a = await open(SERVICE, 'application', 'verification');
    const b = await open('svc-b', ['code_revert', 'succeeded'], 'deploy');
    await h.store.moveStep(a[0]?.id as string, 'pending', 'running', { claimedBy: 'dead-replica' });
    await h.store.moveStep(b[1]?.id as string, 'pending', 'running', { claimedBy: 'dead-replica' });

    const running = await h.otherStore.runningSteps();
    expect(running.map((s) => s.id).sort()).toEqual([a[0]?.id, b[1]?.id].sort());
    expect(running.every((s) => s.state === 'running' && s.claimedBy === 'dead-replica')).toBe(true);
    // Running steps are never handed out as runnable.
    expect(await h.store.claimRunnable('worker-1', 10)).toEqual([]);
  });
});
