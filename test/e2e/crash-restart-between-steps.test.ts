/**
 * Issues 6 and 8: the bot is a real child process (`node bin/rollback-bot.js
 * start`), killed with SIGKILL while no step runs (before the first step, and
 * between the application step and verification) and started again on the same
 * database. Another replica's hold on the service's lock keeps the process at
 * the boundary. Each test proves the incident then ends once, every step run
 * once after the restart and nothing reconciled.
 */
import { Client } from 'pg';
import { SERVICE_LOCK_SPACE } from '../../src/store/queries/incidents';
import { SERVICE } from '../support/incident-world';
import { waitFor } from '../support/wait';
import { SLOW_JOB, useCrashWorld } from './support/crash-world';
import { expectFinishedOnce } from './support/finished-once';

jest.setTimeout(90_000);

describe('the bot process killed at a step boundary and started again', () => {
  const world = useCrashWorld('e2e_crash_between');
  const { rows, steps, rollbackPosts, completePosts, requestRollback, killWhen, finishAliasJob } = world;

  /** The process was killed while no step ran: after the restart every step runs once, nothing is reconciled. */
  async function restartAfterHeldBoundary(
    lock: { release(): Promise<void> },
    id: string,
    before: { posts: number; complete: number },
  ): Promise<void> {
    await lock.release();
    const restart = await world.crashAndRestart();
    await expectFinishedOnce(world, id, {
      before,
      restart,
      reconciled: 0,
      paths: { application: ['pending', 'running', 'succeeded'], verification: ['pending', 'running', 'succeeded'] },
    });
  }

  /** Holds the service's advisory lock, as another busy replica would, on its own connection. */
  async function holdServiceLock(): Promise<{ acquired: Promise<void>; release(): Promise<void> }> {
    const holder = new Client({ connectionString: world.databaseUrl });
    await holder.connect();
    const acquired = holder
      .query('SELECT pg_advisory_lock($1::int4, hashtext($2))', [SERVICE_LOCK_SPACE, SERVICE])
      .then(() => undefined);
    return {
      acquired,
      release: async () => {
        await acquired;
        await holder.query('SELECT pg_advisory_unlock($1::int4, hashtext($2))', [SERVICE_LOCK_SPACE, SERVICE]);
        await holder.end();
      },
    };
  }

  it(
    'killed between opening the incident and its first step: the new process starts ' + 'the plan from the top',
    async () => {
      world.breakProduction(2);
      world.vercel.state.nextJob = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const lock = await holdServiceLock();
      await lock.acquired;
      try {
        const id = await requestRollback('dashboard blank');
        // The runner claimed the first step, found the service locked and gave the claim back.
        const [opened] = await rows<{ at: Date }>(
          "SELECT at FROM timeline WHERE incident_id = $1 AND kind = 'opened'",
          [id],
        );
        await killWhen('the first claim to be given back', async () => {
          const [app] = await steps(id);
          return (
            app?.state === 'pending' && app.claimed_by === null && opened !== undefined && app.updated_at > opened.at
          );
        });
        expect(rollbackPosts()).toBe(before.posts);
        await restartAfterHeldBoundary(lock, id, before);
      } finally {
        await lock.release().catch(() => undefined);
      }
    },
  );

  it(
    'killed after the application step succeeded, before verification: production is ' +
      'not moved again and verification runs once',
    async () => {
      world.breakProduction(3);
      world.vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('5xx above 25%');
      await waitFor(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      const verificationAtOpen = (await steps(id))[1]?.updated_at.getTime();
      // Queued behind the bot's lock: granted the moment the application step ends, before verification can start.
      const lock = await holdServiceLock();
      try {
        finishAliasJob();
        await lock.acquired;
        await killWhen('verification to be claimed and given back', async () => {
          const [app, verification] = await steps(id);
          return (
            app?.state === 'succeeded' &&
            verification?.state === 'pending' &&
            verification.claimed_by === null &&
            verification.updated_at.getTime() !== verificationAtOpen
          );
        });
        await restartAfterHeldBoundary(lock, id, before);
      } finally {
        await lock.release().catch(() => undefined);
      }
    },
  );
});
