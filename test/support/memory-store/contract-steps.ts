/**
 * Contract cases of the step role: compare-and-set moves, claims, and the
 * leases and fencing tokens of the workers that run steps, against the
 * in-memory fake and the PostgreSQL adapter alike.
 */
import { codeOf } from '../error-code';
import type { StepRecord } from '../../../src/rollback/ports/incident-store';
import {
  CONTRACT_CLAIM_LEASE_MS,
  type ContractSubject,
  LONG_LEASE_MS,
  SERVICE_A,
  SERVICE_B,
  SHORT_LEASE_MS,
  anIncident,
  someSteps,
} from './contract-subject';

export function stepContract(subject: () => ContractSubject): void {
  const store = () => subject().store;
  async function open(service: string, ...kinds: Parameters<typeof someSteps>): Promise<StepRecord[]> {
    const { incident, created } = await store().openIncident(anIncident(service), someSteps(...kinds));
    expect(created).toBe(true);
    return store().steps(incident.id);
  }
  const first = async (service: string, ...kinds: Parameters<typeof someSteps>): Promise<StepRecord> => {
    const [step] = await open(service, ...kinds);
    if (!step) throw new Error('no step');
    return step;
  };
  /** Starts a step as the runner does: a new lease under a new token. */
  const start = (step: StepRecord, leaseMs: number) =>
    store().moveStep(step.id, step.state, 'running', { countAttempt: true, claimedBy: 'worker-1', leaseMs });

  describe('steps', () => {
    it('stamps a start with startedAt and an attempt, an end with finishedAt, and keeps them on a patch', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await store().moveStep(step.id, 'pending', 'running', {
        countAttempt: true,
        claimedBy: 'worker-1',
      });
      expect(running).toMatchObject({ state: 'running', attempts: 1, claimedBy: 'worker-1', finishedAt: undefined });
      expect(running?.startedAt).toBeInstanceOf(Date);
      const patched = await store().moveStep(step.id, 'running', 'running', { input: { targetId: 'dpl_good' } });
      expect(patched).toMatchObject({ input: { targetId: 'dpl_good' }, attempts: 1, startedAt: running?.startedAt });
      const done = await store().moveStep(step.id, 'running', 'succeeded', {
        output: { method: 'promote' },
        claimedBy: null,
      });
      expect(done).toMatchObject({
        state: 'succeeded',
        output: { method: 'promote' },
        claimedBy: undefined,
        attempts: 1,
      });
      expect(done?.finishedAt).toBeInstanceOf(Date);
      expect(await store().getStep(step.id)).toEqual(done);
    });

    it('uses the startedAt and finishedAt it is given (the engine clock)', async () => {
      const step = await first(SERVICE_A, 'deploy');
      const startedAt = new Date('2026-01-17T10:01:00Z');
      const finishedAt = new Date('2026-01-17T10:04:00Z');
      await store().moveStep(step.id, 'pending', 'running', { startedAt });
      const failed = await store().moveStep(step.id, 'running', 'failed', {
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

    it('keeps error and claimedBy unless given, clears them on null; input and output replaced, as JSON', async () => {
      const step = await first(SERVICE_A, 'application');
      const error = { code: 'external', message: 'Vercel answered 500.', fix: 'Retry.' };
      await store().moveStep(step.id, 'pending', 'running', {
        error,
        claimedBy: 'worker-1',
        input: { a: 1, at: new Date('2026-01-17T10:00:00Z') },
      });
      expect(await store().moveStep(step.id, 'running', 'unknown', { output: { partial: true } })).toMatchObject({
        error,
        claimedBy: 'worker-1',
      });
      const cleared = await store().moveStep(step.id, 'unknown', 'pending', {
        error: null,
        claimedBy: null,
        input: { b: 2 },
      });
      expect(cleared).toMatchObject({
        state: 'pending',
        error: undefined,
        claimedBy: undefined,
        output: { partial: true },
      });
      expect(cleared?.input).toEqual({ b: 2 });
      const json = await store().moveStep(step.id, 'pending', 'pending', {
        input: { at: new Date('2026-01-17T10:00:00Z'), gone: undefined },
      });
      expect(json?.input).toEqual({ at: '2026-01-17T10:00:00.000Z' });
    });

    it('moves by compare-and-set: one of two starts wins; a stale from or an unknown id changes nothing', async () => {
      const step = await first(SERVICE_A, 'application');
      const results = await Promise.all([
        store().moveStep(step.id, 'pending', 'running', { countAttempt: true, claimedBy: 'replica-1' }),
        store().moveStep(step.id, 'pending', 'running', { countAttempt: true, claimedBy: 'replica-2' }),
      ]);
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      const stored = await store().getStep(step.id);
      expect(stored).toMatchObject({ state: 'running', attempts: 1, claimedBy: winners[0]?.claimedBy });
      expect(await store().moveStep(step.id, 'pending', 'cancelled')).toBeUndefined();
      expect(await store().getStep(step.id)).toEqual(stored);
      expect(await store().getStep('not-a-step')).toBeUndefined();
      expect(await store().moveStep('999999999', 'pending', 'running')).toBeUndefined();
    });

    it('writes a move’s timeline entry with it, and none when the move did not happen', async () => {
      const step = await first(SERVICE_A, 'application');
      const entry = { incidentId: step.incidentId, actor: 'worker-1', kind: 'step', message: 'Step 1 running' };
      expect(await store().moveStep(step.id, 'pending', 'running', {}, entry)).toBeDefined();
      expect(await store().moveStep(step.id, 'pending', 'running', {}, entry)).toBeUndefined();
      expect((await store().timeline(step.incidentId)).filter((t) => t.kind === 'step')).toHaveLength(1);
    });

    it('adds steps after the existing ones in the given order, and refuses a closed or unknown incident', async () => {
      const [existing] = await open(SERVICE_A, 'code_revert');
      const incidentId = existing?.incidentId ?? '';
      const added = await store().addSteps(incidentId, [
        { position: 2, kind: 'verification', state: 'pending', input: {} },
        { position: 1, kind: 'deploy', state: 'pending', input: {} },
      ]);
      expect(added.map((s) => [s.position, s.kind])).toEqual([
        [2, 'deploy'],
        [3, 'verification'],
      ]);
      expect(await store().addSteps(incidentId, [])).toEqual([]);
      await store().moveIncident(incidentId, 'open', 'cancelled');
      expect(await codeOf(store().addSteps(incidentId, someSteps('deploy')))).toBe('conflict');
      expect(await codeOf(store().addSteps('INC-NOPE', someSteps('deploy')))).toBe('not_found');
    });
  });

  describe('claims', () => {
    it('claims what may run: in order, after succeeded steps, approved or needing none, open incidents', async () => {
      const a = await open(SERVICE_A, 'application', 'verification');
      const b = await open(SERVICE_B, ['schema', 'pending'], 'verification');
      const claimed = await store().claimRunnable('worker-1', 10);
      expect(claimed.map((s) => s.id)).toEqual([a[0]?.id]);
      expect(claimed[0]?.claimedBy).toBe('worker-1');
      await store().moveStep(a[0]?.id ?? '', 'pending', 'succeeded');
      await store().moveStep(b[0]?.id ?? '', 'pending', 'approved');
      expect((await store().claimRunnable('worker-1', 10)).map((s) => s.id)).toEqual([a[1]?.id, b[0]?.id]);
      expect(await store().claimRunnable('worker-1', 1)).toHaveLength(1);
      expect(await store().claimRunnable('worker-1', 0)).toEqual([]);
      await store().moveIncident(a[0]?.incidentId ?? '', 'open', 'cancelled');
      expect((await store().claimRunnable('worker-1', 10)).map((s) => s.id)).toEqual([b[0]?.id]);
    });

    it('keeps others off a live claim, lets its worker claim again, frees it once the claim lease passed', async () => {
      const step = await first(SERVICE_A, 'application');
      expect((await store().claimRunnable('worker-1', 5)).map((s) => s.id)).toEqual([step.id]);
      expect(await store().claimRunnable('worker-2', 5)).toEqual([]);
      expect((await store().claimRunnable('worker-1', 5)).map((s) => s.id)).toEqual([step.id]);
      await subject().pass(CONTRACT_CLAIM_LEASE_MS + 200);
      expect((await store().claimRunnable('worker-2', 5)).map((s) => [s.id, s.claimedBy])).toEqual([
        [step.id, 'worker-2'],
      ]);
    });
  });

  describe('leases and fencing', () => {
    it('gives each start a new fencing token; a step with a live lease is not up for reconciliation', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await start(step, LONG_LEASE_MS);
      expect(running?.leaseToken).toEqual(expect.any(String));
      expect(running?.leaseExpiresAt?.getTime()).toBeGreaterThan(subject().now().getTime() + LONG_LEASE_MS / 2);
      expect((await store().runningSteps()).map((s) => s.id)).not.toContain(step.id);
    });

    it('lists a running step once its lease expired, and lets one worker take it over under a new token', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await start(step, SHORT_LEASE_MS);
      const takeover = { leaseMs: LONG_LEASE_MS, onlyIfLeaseExpired: true, claimedBy: 'worker-2' };
      expect(await store().moveStep(step.id, 'running', 'running', takeover)).toBeUndefined();
      await subject().pass(SHORT_LEASE_MS + 200);
      expect((await store().runningSteps()).map((s) => s.id)).toContain(step.id);
      const [mine, theirs] = await Promise.all([
        store().moveStep(step.id, 'running', 'running', takeover),
        store().moveStep(step.id, 'running', 'running', { ...takeover, claimedBy: 'worker-3' }),
      ]);
      expect([mine, theirs].filter((r) => r !== undefined)).toHaveLength(1);
      const taken = mine ?? theirs;
      expect(taken?.leaseToken).not.toEqual(running?.leaseToken);
      expect((await store().runningSteps()).map((s) => s.id)).not.toContain(step.id);
    });

    it('fences the old worker out: its writes and renewals are refused once another took the step over', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await start(step, SHORT_LEASE_MS);
      const old = running?.leaseToken ?? '';
      expect(
        await store().moveStep(step.id, 'running', 'running', { output: { progress: 'mine' }, fence: old }),
      ).toBeDefined();
      await subject().pass(SHORT_LEASE_MS + 200);
      const taken = await store().moveStep(step.id, 'running', 'running', {
        leaseMs: LONG_LEASE_MS,
        onlyIfLeaseExpired: true,
      });
      expect(await store().renewLease(step.id, old, LONG_LEASE_MS)).toBe(false);
      expect(await store().moveStep(step.id, 'running', 'succeeded', { fence: old })).toBeUndefined();
      expect(await store().moveStep(step.id, 'running', 'succeeded', { fence: taken?.leaseToken })).toMatchObject({
        state: 'succeeded',
      });
      expect(await store().renewLease(step.id, taken?.leaseToken ?? '', LONG_LEASE_MS)).toBe(false);
    });

    it('renews a lease while its token holds it, even after it expired if nobody took it', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await start(step, SHORT_LEASE_MS);
      await subject().pass(SHORT_LEASE_MS + 200);
      expect(await store().renewLease(step.id, running?.leaseToken ?? '', LONG_LEASE_MS)).toBe(true);
      expect((await store().runningSteps()).map((s) => s.id)).not.toContain(step.id);
      expect(await store().renewLease(step.id, '999999999', LONG_LEASE_MS)).toBe(false);
      expect(await store().renewLease('not-a-step', running?.leaseToken ?? '', LONG_LEASE_MS)).toBe(false);
    });

    it('ends the lease at once when a step is parked, so the next worker reconciles it without waiting', async () => {
      const step = await first(SERVICE_A, 'application');
      const running = await start(step, LONG_LEASE_MS);
      const parked = await store().moveStep(step.id, 'running', 'running', {
        releaseLease: true,
        fence: running?.leaseToken,
      });
      expect(parked?.leaseToken).toBe(running?.leaseToken);
      expect((await store().runningSteps()).map((s) => s.id)).toContain(step.id);
    });
  });
}
