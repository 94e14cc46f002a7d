/**
 * Issues 6 and 8: the bot is a real child process (`node bin/rollback-bot.js
 * start`), killed with SIGKILL while Vercel moves production and started again
 * on the same database. Each test proves the incident then ends once: one
 * rollback request to Vercel, every step succeeded with the attempts the
 * boundary explains, one "ROLLBACK COMPLETE", and a timeline whose moves chain
 * without a gap. The process started by one test is the one the next test kills.
 */
import { waitFor } from '../support/wait';
import { SLOW_JOB, useCrashWorld } from './support/crash-world';
import { expectFinishedOnce } from './support/finished-once';

jest.setTimeout(90_000);

describe('the bot process killed at a step boundary and started again', () => {
  const world = useCrashWorld('e2e_crash_alias');
  const { steps, rollbackPosts, completePosts, requestRollback, killWhen, crashAndRestart, finishAliasJob } = world;

  it(
    'killed while Vercel moves production: the new process reconciles, then waits on ' +
      'the same alias job instead of asking again',
    async () => {
      world.breakProduction(0);
      world.vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('sign-in returns 500');
      await killWhen(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );

      const restart = await crashAndRestart();
      await waitFor('the application step to run again', async () => {
        const [app] = await steps(id);
        return app?.state === 'running' && app.attempts === 2;
      });
      finishAliasJob();

      const timeline = await expectFinishedOnce(world, id, {
        before,
        restart,
        reconciled: 1,
        paths: {
          application: ['pending', 'running', 'pending', 'running', 'succeeded'],
          verification: ['pending', 'running', 'succeeded'],
        },
      });
      expect(timeline.find((t) => t.kind === 'reconcile')?.message).toMatch(
        /Step 1 \(application\) found running after a restart: Vercel's last alias request says unknown/,
      );
    },
  );

  it(
    'killed while Vercel moves production, the job ending while the bot is down: ' +
      'reconciled from lastAliasRequest, not run again',
    async () => {
      world.breakProduction(1);
      world.vercel.state.nextJob = SLOW_JOB;
      const before = { posts: rollbackPosts(), complete: completePosts() };
      const id = await requestRollback('checkout returns 500');
      await killWhen(
        'the application step to run and ask Vercel',
        async () => (await steps(id))[0]?.state === 'running' && rollbackPosts() === before.posts + 1,
      );
      finishAliasJob();

      const restart = await crashAndRestart();
      const timeline = await expectFinishedOnce(world, id, {
        before,
        restart,
        reconciled: 1,
        paths: { application: ['pending', 'running', 'succeeded'], verification: ['pending', 'running', 'succeeded'] },
      });
      expect(timeline.find((t) => t.kind === 'reconcile')?.message).toMatch(
        /Vercel's last alias request says succeeded/,
      );
    },
  );
});
