/**
 * Issue 16 item 8, real PostgreSQL and the stand-ins: when the bot's own
 * store refuses writes (here a trigger answering "No space left on device"
 * to every change of a step's state) while a step is reconciled, the
 * timeline must not say "the outside world could not be read": Vercel was
 * read fine. The refusal goes to the log, the step stays running, and once
 * the store accepts writes again the step is reconciled and the incident
 * ends COMPLETE with one request to Vercel.
 */
import { waitFor } from '../support/wait';
import { SERVICE, useWorld } from '../support/incident-world';
import { incidentState, startedIncident } from './support/incident-checks';
import { rows } from '../support/database';

jest.setTimeout(90_000);

const HELD_JOB = { outcome: 'succeeded' as const, pollsPerStep: 100_000, failedAliases: [] };

const REFUSE = `
CREATE FUNCTION refuse_step_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    RAISE EXCEPTION 'could not extend file "base/16384/16512": No space left on device' USING ERRCODE = '53100';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse_step_moves BEFORE UPDATE ON steps FOR EACH ROW EXECUTE FUNCTION refuse_step_moves();`;

describe('the bot’s store refuses writes while a step is reconciled', () => {
  const ctx = useWorld('faults_store_refuses', { stepLeaseMs: 1500 });

  it(
    'records what Vercel said, never blames the outside world, and finishes once the ' + 'store accepts writes again',
    async () => {
      const { world } = ctx;
      world.vercel.state.nextJob = HELD_JOB;
      const id = startedIncident(
        (
          await world.bot.sender.slashCommand({
            text: `${SERVICE} to ${world.history.good.id} disk test`,
            userId: 'U0DEVOPS1',
          })
        ).json() as { text: string },
      );
      await waitFor('the application step to wait on Vercel', async () => {
        const [step] = await rows<{ state: string }>(
          ctx.database.url,
          "SELECT state FROM steps WHERE incident_id = $1 AND kind = 'application'",
          [id],
        );
        return step?.state === 'running' && world.vercel.state.count('POST', '/rollback/') === 1;
      });
      await rows(ctx.database.url, REFUSE);
      // The worker stops (parks its step); Vercel then finishes; another replica reconciles the step.
      await world.bot.bot.engine.runner.stop();
      while (world.vercel.state.jobRunning()) world.vercel.state.tickJob();
      const replica = await world.startReplica();
      try {
        await waitFor(
          'the replica to read Vercel and fail to store the end',
          async () =>
            replica.logs.some((line) => line.includes('No space left on device')) &&
            (await rows(ctx.database.url, "SELECT 1 FROM timeline WHERE incident_id = $1 AND kind = 'reconcile'", [id]))
              .length > 0,
        );
        const said = await rows<{ message: string }>(
          ctx.database.url,
          "SELECT message FROM timeline WHERE incident_id = $1 AND kind = 'reconcile' ORDER BY id",
          [id],
        );
        expect(said.map((s) => s.message)).toEqual(
          expect.arrayContaining([expect.stringMatching(/Vercel's last alias request says succeeded/)]),
        );
        expect(said.filter((s) => /outside world could not be read/.test(s.message))).toEqual([]);
        expect(
          (
            await rows<{ state: string }>(
              ctx.database.url,
              "SELECT state FROM steps WHERE incident_id = $1 AND kind = 'application'",
              [id],
            )
          )[0]?.state,
        ).toBe('running');

        await rows(ctx.database.url, 'DROP TRIGGER refuse_step_moves ON steps');
        await waitFor(
          `${id} to resolve`,
          async () => (await incidentState(ctx.database.url, id)) === 'resolved',
          30_000,
        );
        expect(world.vercel.state.count('POST', '/rollback/')).toBe(1);
        const all = await rows<{ message: string }>(
          ctx.database.url,
          'SELECT message FROM timeline WHERE incident_id = $1',
          [id],
        );
        expect(all.filter((s) => /outside world could not be read/.test(s.message))).toEqual([]);
      } finally {
        await replica.stop();
      }
    },
  );
});
