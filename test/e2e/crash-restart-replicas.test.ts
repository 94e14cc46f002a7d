/**
 * Issues 6, 8 and 16: the bot is a real child process (`node bin/rollback-bot.js
 * start`). One of two replicas killed with SIGKILL mid-step, and a stop
 * (SIGTERM) while a step waits on Vercel: the step is reconciled by the
 * surviving replica, or parked and finished by the next process, and the
 * incident ends once.
 */
import type { BotProcess } from '../support/bot-process';
import { waitFor } from '../support/wait';
import { SLOW_JOB, useCrashWorld } from './support/crash-world';
import { expectFinishedOnce } from './support/finished-once';

jest.setTimeout(90_000);

describe('the bot process killed at a step boundary and started again', () => {
  const world = useCrashWorld('e2e_crash_replicas');
  const { rows, steps, rollbackPosts, completePosts, requestRollback, killWhen, finishAliasJob } = world;

  it('one of two replicas killed mid-step: the surviving replica reconciles the step without a restart', async () => {
    world.breakProduction(4);
    world.vercel.state.nextJob = SLOW_JOB;
    const first = world.bot as BotProcess;
    const second = await world.spawn();
    const before = { posts: rollbackPosts(), complete: completePosts() };
    const id = await requestRollback('login loop');
    let runner: BotProcess | undefined;
    await waitFor('a replica to run the application step and ask Vercel', async () => {
      const [app] = await steps(id);
      runner = [first, second].find((p) => app?.claimed_by?.startsWith(`replica-${p.pid}-`));
      return app?.state === 'running' && runner !== undefined && rollbackPosts() === before.posts + 1;
    });
    const survivor = runner === first ? second : first;
    world.bot = runner;
    await killWhen('the step to still be running', async () => (await steps(id))[0]?.state === 'running');
    world.bot = survivor;
    const restart = { pid: survivor.pid, restartedAfter: await world.lastTimelineId() };
    await waitFor(
      'the survivor to run the application step again',
      async () => (await steps(id))[0]?.attempts === 2,
      15_000,
    );
    finishAliasJob();
    await expectFinishedOnce(world, id, {
      before,
      restart,
      reconciled: 1,
      paths: {
        application: ['pending', 'running', 'pending', 'running', 'succeeded'],
        verification: ['pending', 'running', 'succeeded'],
      },
    });
  });

  // Issue 16 item 3: a stop while a step waits on the outside world parks it instead of waiting it out.
  it(
    'SIGTERM while the step waits on Vercel: the process exits within seconds, the ' +
      'step is parked, and the next process finishes it at once',
    async () => {
      world.breakProduction(5);
      world.vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts() };
      const id = await requestRollback('sigterm while waiting');
      await waitFor(
        'the application step to ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      const started = Date.now();
      await (world.bot as BotProcess).stop();
      const tookMs = Date.now() - started;
      expect(tookMs).toBeLessThan(8_000);
      expect((await steps(id))[0]?.state).toBe('running');
      expect(await rows("SELECT 1 FROM timeline WHERE incident_id = $1 AND kind = 'step_parked'", [id])).toHaveLength(
        1,
      );
      finishAliasJob();
      world.bot = await world.spawn();
      await waitFor(
        'the incident to resolve',
        async () =>
          (await rows<{ state: string }>('SELECT state FROM incidents WHERE id = $1', [id]))[0]?.state === 'resolved',
        30_000,
      );
      expect(rollbackPosts()).toBe(before.posts + 1);
    },
  );
});
