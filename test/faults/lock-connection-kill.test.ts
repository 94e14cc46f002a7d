/**
 * Issue 16 item 2: two replicas on one real PostgreSQL. While replica A runs
 * an application step that waits on Vercel, its database connections are
 * killed with pg_terminate_backend. Before the fix the step was "running"
 * only through a session advisory lock held on one of them: killing it made
 * replica B take the step as abandoned and run it again (a second request to
 * Vercel; the incident could end FAILED). Each trial proves: the lease A
 * keeps renewing (over new connections) holds B off past the lease's length,
 * nothing is reconciled or asked twice, each step runs once, and the incident
 * ends COMPLETE. A store-level case proves the fencing itself: a worker whose
 * lease was taken over cannot record an outcome.
 */
import { newIncident, useIncidentStore } from '../integration/incident-store-fixtures';
import type { TestBot } from '../support/bot';
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import {
  breakProduction,
  expectTimelineWithoutGaps,
  incidentState,
  startedIncident,
  storedMessage,
} from './support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(120_000);

const LEASE_MS = 1500;
const TRIALS = 6;
/** Vercel's alias job only moves when the test says, so the kill surely falls inside the step. */
const HELD_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

describe('the connections of the replica running a step are killed while it runs, two replicas', () => {
  const ctx = useWorld('faults_lock_kill', { stepLeaseMs: LEASE_MS });
  let other: TestBot;
  beforeAll(async () => {
    other = await ctx.world.startReplica();
  });
  afterAll(async () => {
    await other?.stop();
  });

  /** Every backend of the bots on the test database: the connection a lock would be held on is among them. */
  const botBackends = async (): Promise<number[]> =>
    (
      await rows<{ pid: number }>(
        ctx.database.url,
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )
    ).map((r) => r.pid);

  it.each(Array.from({ length: TRIALS }, (_, i) => i + 1))(
    'trial %i: the step runs once, is never taken over, and the incident ends COMPLETE',
    async (n) => {
      const { world } = ctx;
      const { good } = breakProduction(world, n);
      world.vercel.state.nextJob = HELD_JOB;
      const requestsBefore = world.vercel.state.count('POST', '/rollback/');
      // Alternate the replica that receives the command, so either may be the one cut off.
      const sender = n % 2 === 0 ? other.sender : world.bot.sender;
      const id = startedIncident(
        (await sender.slashCommand({ text: `${SERVICE} to ${good.id} trial ${n}`, userId: 'U0DEVOPS1' })).json() as {
          text: string;
        },
      );
      await waitFor('the application step to run and ask Vercel', async () => {
        const [step] = await rows<{ state: string }>(
          ctx.database.url,
          "SELECT state FROM steps WHERE incident_id = $1 AND kind = 'application'",
          [id],
        );
        return step?.state === 'running' && world.vercel.state.count('POST', '/rollback/') === requestsBefore + 1;
      });

      const killed = await botBackends();
      expect(killed.length).toBeGreaterThan(0);
      await rows(ctx.database.url, 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [killed]);
      // Both replicas look for abandoned steps, repeatedly, for longer than a lease lasts.
      const until = Date.now() + LEASE_MS * 2;
      while (Date.now() < until) {
        world.bot.bot.engine.runner.wake();
        other.bot.engine.runner.wake();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(world.vercel.state.count('POST', '/rollback/') - requestsBefore).toBe(1);
      expect(
        (await rows(ctx.database.url, "SELECT 1 FROM timeline WHERE incident_id = $1 AND kind = 'reconcile'", [id]))
          .length,
      ).toBe(0);

      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
      await waitFor(`${id} to end`, async () => {
        const state = await incidentState(ctx.database.url, id);
        return state !== undefined && ['resolved', 'failed', 'cancelled'].includes(state) && state;
      });
      expect(await incidentState(ctx.database.url, id)).toBe('resolved');
      expect(world.vercel.state.production()?.id).toBe(good.id);
      expect(world.vercel.state.count('POST', '/rollback/') - requestsBefore).toBe(1);
      const { steps } = await expectTimelineWithoutGaps(ctx.database.url, id);
      expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
        ['application', 'succeeded', 1],
        ['verification', 'succeeded', 1],
      ]);
      await waitFor(
        'the outcome to be stored',
        async () => (await storedMessage(ctx.database.url, id, 'outcome'))?.text,
      );
      expect((await storedMessage(ctx.database.url, id, 'outcome'))?.text).toMatch(/^✅ ROLLBACK COMPLETE/);
    },
  );
});

describe('fencing on the store, two replicas without runners', () => {
  const h = useIncidentStore('faults_fencing');

  it('a worker whose lease was taken over cannot record an outcome; the new holder can', async () => {
    const { incident } = await h.store.openIncident(newIncident(), [
      { position: 1, kind: 'application', state: 'pending', input: {} },
    ]);
    const [step] = await h.store.steps(incident.id);
    if (!step) throw new Error('no step');
    const first = await h.store.moveStep(step.id, 'pending', 'running', { leaseMs: 200, claimedBy: 'worker-a' });
    if (!first?.leaseToken) throw new Error('the start took no lease');
    // While the lease holds, nobody takes the step over and it is not listed as abandoned.
    expect(
      await h.otherStore.moveStep(step.id, 'running', 'running', {
        leaseMs: 5000,
        onlyIfLeaseExpired: true,
        claimedBy: 'worker-b',
      }),
    ).toBeUndefined();
    expect((await h.otherStore.runningSteps()).map((s) => s.id)).not.toContain(step.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.otherStore.runningSteps()).map((s) => s.id)).toContain(step.id);
    const second = await h.otherStore.moveStep(step.id, 'running', 'running', {
      leaseMs: 5000,
      onlyIfLeaseExpired: true,
      claimedBy: 'worker-b',
    });
    if (!second?.leaseToken) throw new Error('the takeover took no lease');
    expect(second.leaseToken).not.toBe(first.leaseToken);

    expect(await h.store.renewLease(step.id, first.leaseToken, 5000)).toBe(false);
    expect(
      await h.store.moveStep(step.id, 'running', 'failed', { fence: first.leaseToken, output: { by: 'a' } }),
    ).toBeUndefined();
    expect(await h.otherStore.renewLease(step.id, second.leaseToken, 5000)).toBe(true);
    const ended = await h.otherStore.moveStep(step.id, 'running', 'succeeded', {
      fence: second.leaseToken,
      output: { by: 'b' },
    });
    expect(ended).toMatchObject({ state: 'succeeded', output: { by: 'b' } });
  });
});
