/**
 * Issue 16 item 3, over HTTP with the stand-ins and real PostgreSQL. While
 * one service's application step waits on a Vercel job that does not move,
 * a git revert of another service runs to its push: steps of different
 * services run at once (one at a time per service). Then the replica is
 * stopped while the step still waits: it stops within seconds, the step is
 * parked (still running, its lease ended, a `step_parked` entry), and the
 * incident still ends COMPLETE once, with one request to Vercel: a new
 * replica reconciles it at once (or the parked worker, still alive in this
 * test's process and never taken over, records the end it saw).
 */
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import { exampleServiceRaw } from '../support/services';
import { incidentState, startedIncident } from '../faults/support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(90_000);

const OTHER = 'clinic-admin';
/** Vercel's alias job only moves when the test says. */
const HELD_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

describe('two services, one step stuck on Vercel', () => {
  const ctx = useWorld('e2e_concurrency', {
    // A long lease: only parking may hand the step over quickly.
    stepLeaseMs: 60_000,
    // Vercel may take a minute to move the stuck service: the other's revert must not wait for it.
    service: { vercel: { projectId: SERVICE, teamId: 'team_dramal', aliasDeadlineSeconds: 60 } },
    extraServices: ({ gitOrigin, appUrl }) => [
      exampleServiceRaw({
        name: OTHER,
        vercel: { projectId: SERVICE, teamId: 'team_dramal' },
        production: { url: appUrl, verifyDeadlineSeconds: 3 },
        git: { remote: gitOrigin, branch: 'main', tokenEnv: undefined },
        roles: { devopsLead: ['U0DEVOPS1'], cto: ['U0CTO0001'], dba: ['U0DBADMIN'], onCall: ['S0ONCALL1'] },
      }),
    ],
  });

  const stepsOf = (id: string) =>
    rows<{ kind: string; state: string; lease_expires_at: Date | null }>(
      ctx.database.url,
      'SELECT kind, state, lease_expires_at FROM steps WHERE incident_id = $1 ORDER BY position',
      [id],
    );

  it(
    'runs the other service’s revert while the first waits, then parks the waiting ' +
      'step on stop and a new replica finishes it',
    async () => {
      const { world } = ctx;
      world.vercel.state.nextJob = HELD_JOB;
      const stuck = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `${SERVICE} to ${world.history.good.id} sign-in broken`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );
      await waitFor(
        'the application step to wait on Vercel',
        async () =>
          (await stepsOf(stuck))[0]?.state === 'running' && world.vercel.state.count('POST', '/rollback/') === 1,
      );

      const headBefore = world.git.originHead();
      const other = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `revert ${OTHER} ${world.history.badCommit} AI notes`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );
      await waitFor(
        'the other service’s revert to be pushed',
        async () => (await stepsOf(other))[0]?.state === 'succeeded',
        30_000,
      );
      expect(world.git.originHead()).not.toBe(headBefore);
      expect((await stepsOf(stuck))[0]?.state).toBe('running');

      const started = Date.now();
      await world.bot.bot.engine.runner.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      const [parked] = await stepsOf(stuck);
      expect(parked?.state).toBe('running');
      expect(parked?.lease_expires_at && parked.lease_expires_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(
        await rows(ctx.database.url, "SELECT 1 FROM timeline WHERE incident_id = $1 AND kind = 'step_parked'", [stuck]),
      ).toHaveLength(1);

      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
      const replica = await world.startReplica();
      try {
        await waitFor(
          `${stuck} to resolve`,
          async () => (await incidentState(ctx.database.url, stuck)) === 'resolved',
          30_000,
        );
        expect(world.vercel.state.production()?.id).toBe(world.history.good.id);
        expect(world.vercel.state.count('POST', '/rollback/')).toBe(1);
        const [app] = await rows<{ state: string; attempts: number }>(
          ctx.database.url,
          "SELECT state, attempts FROM steps WHERE incident_id = $1 AND kind = 'application'",
          [stuck],
        );
        expect(app).toEqual({ state: 'succeeded', attempts: 1 });
      } finally {
        await replica.stop();
      }
    },
  );
});
