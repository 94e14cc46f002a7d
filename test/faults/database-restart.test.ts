/**
 * Issue 8, PostgreSQL: the bot's database server is restarted in the middle
 * of a rollback (a throwaway embedded server of this file's own, stopped with
 * `pg_ctl stop -m fast` and started again on the same port). Each test proves
 * the rollback then finishes once: resolved, one request to Vercel, each step
 * succeeded once, the timeline without a gap, COMPLETE stored once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/store/embedded';
import { waitFor } from '../support/wait';
import { SERVICE, type World, startWorld } from '../support/incident-world';
import {
  breakProduction,
  expectTimelineWithoutGaps,
  incidentState,
  startedIncident,
  storedMessage,
} from './support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(60_000);

/** Vercel's alias job only moves when the test says, so the restart surely falls inside the step. */
const HELD_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

describe("the bot's PostgreSQL restarted mid-rollback", () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollback-bot-pg-restart-'));
  let server: EmbeddedPostgres;
  let world: World;
  let n = 0;

  const restart = async (): Promise<void> => {
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: server.port });
  };
  const finishAliasJob = (): void => {
    while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
  };
  /** The incident's state once the server answers again (reads during the outage count as "not yet"). */
  const stateOf = (id: string) => incidentState(server.url, id).catch(() => undefined);

  /** Breaks production, asks for the rollback, waits until the application step runs and Vercel was asked. */
  async function rollbackWaitingOnVercel(): Promise<{ id: string; good: string; requestsBefore: number }> {
    n += 1;
    const { good } = breakProduction(world, n);
    world.vercel.state.nextJob = HELD_JOB;
    const requestsBefore = world.vercel.state.count('POST', '/rollback/');
    const id = startedIncident(
      (
        await world.bot.sender.slashCommand({ text: `${SERVICE} to ${good.id} restart ${n}`, userId: 'U0DEVOPS1' })
      ).json() as { text: string },
    );
    await waitFor('the application step to run and ask Vercel', async () => {
      const [step] = await rows<{ state: string }>(
        server.url,
        "SELECT state FROM steps WHERE incident_id = $1 AND kind = 'application'",
        [id],
      );
      return step?.state === 'running' && world.vercel.state.count('POST', '/rollback/') === requestsBefore + 1;
    });
    return { id, good: good.id, requestsBefore };
  }

  async function expectFinishedOnce(
    id: string,
    good: string,
    requestsBefore: number,
  ): Promise<{ timeline: { kind: string; message: string }[] }> {
    await waitFor(`${id} to resolve`, async () => (await stateOf(id)) === 'resolved', 30_000);
    expect(world.vercel.state.production()?.id).toBe(good);
    expect(world.vercel.state.count('POST', '/rollback/') - requestsBefore).toBe(1);
    const { steps, timeline } = await expectTimelineWithoutGaps(server.url, id);
    expect(steps.map((s) => [s.kind, s.state, s.attempts])).toEqual([
      ['application', 'succeeded', 1],
      ['verification', 'succeeded', 1],
    ]);
    expect((await storedMessage(server.url, id, 'outcome'))?.text).toMatch(/^✅ ROLLBACK COMPLETE/);
    return { timeline };
  }

  beforeAll(async () => {
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'data') });
    world = await startWorld({ databaseUrl: server.url });
  });
  afterAll(async () => {
    await world?.stop();
    await server?.discard().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarted while the step waits on Vercel: the step goes on and ends once, nothing is asked twice', async () => {
    const { id, good, requestsBefore } = await rollbackWaitingOnVercel();
    await server.stop();
    await restart();
    finishAliasJob();
    const { timeline } = await expectFinishedOnce(id, good, requestsBefore);
    expect(timeline.filter((t) => t.kind === 'reconcile')).toEqual([]);
  });

  it(
    'down when the step ends: the end cannot be stored, so after the restart the step ' +
      'is reconciled from Vercel, not run again',
    async () => {
      const { id, good, requestsBefore } = await rollbackWaitingOnVercel();
      await server.stop();
      const logged = world.bot.logs.length;
      const readsBefore = world.vercel.state.count('GET', '/v9/projects');
      finishAliasJob();
      // The worker saw the job end (it read the project again) and failed to store it.
      await waitFor(
        'the worker to fail storing the end of the step',
        async () =>
          world.vercel.state.count('GET', '/v9/projects') > readsBefore &&
          world.bot.logs.slice(logged).some((line) => line.includes('incident runner tick failed')),
      );
      expect(await stateOf(id)).toBeUndefined();
      await restart();
      const { timeline } = await expectFinishedOnce(id, good, requestsBefore);
      const reconciled = timeline.filter((t) => t.kind === 'reconcile');
      expect(reconciled).toHaveLength(1);
      expect(reconciled[0]?.message).toMatch(/Vercel's last alias request says succeeded/);
    },
  );
});
