/**
 * Issue 8, Vercel: the whole bot (signed /rollback, runner, outbox, real
 * PostgreSQL) against a Vercel stand-in that rate-limits, fails in bursts,
 * drops the connection of a promote, and runs an alias job that never ends.
 * Each test proves production moved once (or, for the job that never ends,
 * that the humans are told the outcome is unknown), whatever Vercel did.
 * The service promotes (rollbackMethod: promote) so the dropped connection is
 * the runbook's "promote" call.
 */
import type { Fault } from '../../src/standins/vercel/state';
import { SERVICE, useWorld } from '../support/incident-world';
import {
  breakProduction,
  expectTimelineWithoutGaps,
  startedIncident,
  storedMessage,
  waitForIncident,
} from './support/incident-checks';

const PROMOTE = '/promote/';

describe('Vercel faults during a rollback', () => {
  /** Every wait the Vercel adapter asked for (really waited), to check what Retry-After made it do. */
  const waits: number[] = [];
  const ctx = useWorld('faults_vercel', {
    service: {
      vercel: { projectId: SERVICE, teamId: 'team_dramal', rollbackMethod: 'promote', aliasDeadlineSeconds: 5 },
    },
    vercelSleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  let n = 0;

  /**
   * Breaks production, injects the faults, asks for the rollback; returns the incident and the promotes sent before.
   */
  async function rollbackWith(faults: Fault[]): Promise<{ id: string; good: string; promotesBefore: number }> {
    const { world } = ctx;
    n += 1;
    const { good } = breakProduction(world, n);
    for (const fault of faults) world.vercel.state.inject(fault);
    waits.length = 0;
    const promotesBefore = world.vercel.state.count('POST', PROMOTE);
    const answer = await world.bot.sender.slashCommand({
      text: `${SERVICE} to ${good.id} faults test ${n}`,
      userId: 'U0DEVOPS1',
    });
    return { id: startedIncident(answer.json() as { text: string }), good: good.id, promotesBefore };
  }

  /**
   * Resolved once, production on the target, every injected fault used, each step run once,
   * COMPLETE stored for the thread (its delivery at Slack's pace is the Slack tests' business).
   */
  async function expectRestoredOnce(id: string, good: string): Promise<void> {
    const { world, database } = ctx;
    await waitForIncident(database.url, id, 'resolved');
    expect(world.vercel.state.production()?.id).toBe(good);
    expect(world.vercel.state.faults).toEqual([]);
    const { steps } = await expectTimelineWithoutGaps(database.url, id);
    expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
      ['application', 'succeeded', 1],
      ['verification', 'succeeded', 1],
    ]);
    expect((await storedMessage(database.url, id, 'outcome'))?.text).toMatch(/^✅ ROLLBACK COMPLETE/);
  }

  it('waits as Retry-After asks on a 429, for reads and for the promote itself, then promotes once', async () => {
    const { id, good, promotesBefore } = await rollbackWith([
      { kind: 'status', status: 429, retryAfter: '1', match: '/v9/projects' },
      { kind: 'status', status: 429, retryAfter: '1', match: PROMOTE },
    ]);
    await expectRestoredOnce(id, good);
    // Retry-After: 1 is 1000 ms plus at most 20% jitter, once per 429.
    expect(waits.filter((ms) => ms >= 1000 && ms <= 1200)).toHaveLength(2);
    // The promote refused with 429 never reached the project; the one after it did.
    expect(ctx.world.vercel.state.count('POST', PROMOTE) - promotesBefore).toBe(2);
  });

  it('rides out 5xx bursts on every kind of call and still promotes exactly once', async () => {
    const { id, good, promotesBefore } = await rollbackWith([
      { kind: 'status', status: 503, match: '/v9/projects' },
      { kind: 'status', status: 502, match: '/v9/projects' },
      { kind: 'status', status: 500, match: '/v9/projects' },
      { kind: 'status', status: 502, match: PROMOTE },
      { kind: 'status', status: 503, match: PROMOTE },
    ]);
    await expectRestoredOnce(id, good);
    // Two promotes answered 5xx (Vercel recorded nothing), the third started the one alias job.
    expect(ctx.world.vercel.state.count('POST', PROMOTE) - promotesBefore).toBe(3);
    expect(ctx.world.vercel.state.project.lastAliasRequest).toMatchObject({
      type: 'promote',
      toDeploymentId: good,
      jobStatus: 'succeeded',
    });
  });

  it(
    'after a promote whose answer is lost (Vercel did it, the connection dropped), ' +
      'finds its request and does not promote twice',
    async () => {
      const { id, good, promotesBefore } = await rollbackWith([{ kind: 'drop', match: PROMOTE, afterHandling: true }]);
      await expectRestoredOnce(id, good);
      expect(ctx.world.vercel.state.count('POST', PROMOTE) - promotesBefore).toBe(1);
    },
  );

  it('after a promote dropped before Vercel saw it, asks once more and promotes once', async () => {
    const { id, good, promotesBefore } = await rollbackWith([{ kind: 'drop', match: PROMOTE }]);
    await expectRestoredOnce(id, good);
    expect(ctx.world.vercel.state.count('POST', PROMOTE) - promotesBefore).toBe(2);
  });

  // Last: the job it leaves running would hold the project. Takes the 5 s alias deadline, the shortest the config
  // allows.
  it(
    'on an alias job that never finishes says "unknown" after the deadline, tells the ' +
      'humans in the thread, asks nothing twice and verifies nothing',
    async () => {
      const { world, database } = ctx;
      world.vercel.state.nextJob = { outcome: 'never', pollsPerStep: 1, failedAliases: [] };
      const { id, promotesBefore } = await rollbackWith([]);
      await waitForIncident(database.url, id, 'failed', 20_000);

      const { steps, timeline } = await expectTimelineWithoutGaps(database.url, id);
      expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
        ['application', 'unknown', 1],
        ['verification', 'pending', 0],
      ]);
      expect(timeline.at(-1)?.message).toMatch(/ended in an unknown state/);
      // Told in the incident's thread (delivery through Slack faults is the Slack tests' business).
      const outcome = await storedMessage(database.url, id, 'outcome');
      expect(outcome).toMatchObject({
        threadKey: `incident:${id}:root`,
        text: expect.stringMatching(/^⚠️ ROLLBACK OUTCOME UNKNOWN/),
      });
      expect(outcome?.blocks).toMatch(/could not confirm whether the last step.*check it by hand/);
      expect(outcome?.blocks).toMatch(/the job goes on server-side/);
      expect((await storedMessage(database.url, id, 'progress'))?.blocks).toMatch(/do not request it a second time/);
      expect(world.vercel.state.count('POST', PROMOTE) - promotesBefore).toBe(1);
      expect(world.vercel.state.project.lastAliasRequest?.jobStatus).toBe('in-progress');
    },
  );
});
