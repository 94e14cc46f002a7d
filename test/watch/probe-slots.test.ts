/**
 * The probe and detect jobs on the same cron slots, ticked by hand through the
 * real scheduler against the Vercel stand-in's production host: the detect
 * run at slot S reads the probe run stamped S - interval (the run at S may
 * still be going, so it is never read at S), a failing sign-in smoke test
 * needs triggers.probeFailuresMust (2) runs in a row to be "auth completely
 * broken", and 404s from a project with no deployment yet are no data, not an
 * autopilot incident at start.
 */
import { detectJobName } from '../../src/watch/jobs';
import { probeJobName } from '../../src/probes/probe-jobs';
import { SERVICE } from '../support/incident-world';
import { incidentsOf, useDetectionWorld } from '../support/detection-world';

const INTERVAL_MS = 30_000;

interface StateRow {
  last_slot: Date | null;
  last_verdict: string | null;
  last_rule: string | null;
  last_reason: string | null;
}

describe('probe runs and detect runs on the same slots', () => {
  const ctx = useDetectionWorld('det_probe_slots', { main: { autopilot: true } });
  const w = () => ctx.world;
  let slot: Date;

  const state = async (): Promise<StateRow | undefined> =>
    (
      await w().db.query<StateRow>(
        'SELECT last_slot, last_verdict, last_rule, last_reason FROM detection_states WHERE service = $1',
        [SERVICE],
      )
    ).rows[0];
  const probeRunsAt = async (at: Date): Promise<number> =>
    (
      await w().db.query<{ n: number }>('SELECT count(*)::int AS n FROM probe_results WHERE service = $1 AND at = $2', [
        SERVICE,
        at,
      ])
    ).rows[0]?.n ?? 0;
  const run = async (job: string, at: Date): Promise<void> => {
    const outcome = await w().bot.bot.engine.scheduler.runTick(job, at);
    if (outcome.result !== 'ran')
      throw new Error(`${job} did not run at ${at.toISOString()}: ${outcome.result} ${outcome.error?.explain() ?? ''}`);
  };
  /** The next slot, with the clock 10 s past it (the claim window over, so runTick returns at once). */
  const nextSlot = async (): Promise<Date> => {
    if (!(await w().bot.bot.engine.outbox.drain(15_000))) throw new Error('the Slack outbox did not drain');
    slot = new Date(slot.getTime() + INTERVAL_MS);
    w().clock.advance(slot.getTime() + 10_000 - w().clock.now().getTime());
    return slot;
  };

  beforeAll(() => {
    const now = w().clock.now().getTime();
    slot = new Date(Math.floor(now / INTERVAL_MS) * INTERVAL_MS);
  });

  it(
    'reads 404s from a project with no deployment yet as no data: no incident at ' + 'start, even on autopilot',
    async () => {
      const live = w().vercel.state.project.productionId;
      w().vercel.state.project.productionId = undefined;
      try {
        for (let i = 0; i < 3; i += 1) {
          const s = await nextSlot();
          await run(detectJobName(SERVICE), s);
          await run(probeJobName(SERVICE), s);
          expect(await probeRunsAt(s)).toBeGreaterThan(0);
        }
        const s = await nextSlot();
        await run(detectJobName(SERVICE), s);
        expect(await state()).toMatchObject({ last_slot: s, last_verdict: 'inconclusive' });
        const statuses = (
          await w().db.query<{ status_code: number | null }>(
            'SELECT DISTINCT status_code FROM probe_results WHERE service = $1 AND check_name = $2',
            [SERVICE, 'smoke:sign-in'],
          )
        ).rows;
        expect(statuses).toEqual([{ status_code: 404 }]);
        expect(await incidentsOf(w().db, SERVICE)).toHaveLength(0);
      } finally {
        w().vercel.state.project.productionId = live;
      }
    },
  );

  it(
    'the detect run at S reads the probe run stamped S - interval, and needs two ' +
      'failed sign-in runs in a row for a MUST',
    async () => {
      const bad = w().history.bad;
      w().vercel.state.setApp(bad.id, { smokeStatus: 500 });
      // S1: the probe at S1 sees the deployment and a failing sign-in; the detect run at S1 does not read it.
      const s1 = await nextSlot();
      await run(probeJobName(SERVICE), s1);
      await run(detectJobName(SERVICE), s1);
      expect(await probeRunsAt(s1)).toBeGreaterThan(0);
      expect(await state()).toMatchObject({ last_slot: s1, last_verdict: 'inconclusive' });

      // S2: detect runs before the probe run at S2 (as when that run is slower): it reads S1's run.
      // One failure is a MAY.
      const s2 = await nextSlot();
      await run(detectJobName(SERVICE), s2);
      const may = await state();
      expect(may).toMatchObject({ last_slot: s2, last_verdict: 'may', last_rule: 'auth_broken' });
      expect(may?.last_reason).toMatch(
        /sign-in smoke test failed in 1 consecutive run; MUST once it fails 2 runs in a row/,
      );
      expect(await incidentsOf(w().db, SERVICE)).toHaveLength(0);
      await run(probeJobName(SERVICE), s2);

      // S3: S2's run failed too: the second in a row is a MUST, and autopilot rolls back.
      const s3 = await nextSlot();
      await run(detectJobName(SERVICE), s3);
      const must = await state();
      expect(must).toMatchObject({ last_slot: s3, last_verdict: 'must', last_rule: 'auth_broken' });
      expect(must?.last_reason).toMatch(
        /auth completely broken: users cannot sign in \(the sign-in smoke test failed in 2 consecutive runs\)/,
      );
      const [incident, ...more] = await incidentsOf(w().db, SERVICE);
      expect(more).toHaveLength(0);
      expect(incident).toMatchObject({ severity: 'must', opened_by: 'rollback-bot' });
      expect(incident?.trigger).toMatch(/MUST roll back: auth completely broken \(detected from the sign-in probe\)/);
      await w().waitForPost('ROLLBACK IN PROGRESS');
    },
  );
});
