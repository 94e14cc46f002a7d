/**
 * probeEvidence on real PostgreSQL with results of known latency: the serving
 * deployment's P95 over its last 20 successful checks, the previous
 * deployment's over its serving time as the baseline, and each field firing,
 * clear, or absent (no data) for its own reason.
 */
import { silentLogger } from '../../src/logger';
import { probeEvidence } from '../../src/probes/probe-sample';
import { migrate } from '../../src/store/migrate';
import { createDb, type Db } from '../../src/store/pool';
import { insertProbeResults, type ProbeResult, startServing, stopServingOthers } from '../../src/store/queries/probes';
import { upsertService } from '../../src/store/queries/services';
import { testDatabase } from '../support/database';
import { exampleService } from '../support/services';

const service = exampleService();
const T0 = new Date('2026-01-20T10:00:00Z');
const at = (minutes: number, seconds = 0): Date => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

describe('probeEvidence', () => {
  const database = testDatabase('probes_evidence');
  let db: Db;

  const serve = async (deploymentId: string, from: Date): Promise<void> => {
    await db.transaction(async (tx) => {
      await tx.query(stopServingOthers(service.name, deploymentId, from));
      await tx.query(startServing({ service: service.name, deploymentId }, from));
    });
  };
  const result = (
    when: Date,
    check: string,
    ok: boolean,
    statusCode: number | undefined,
    latencyMs: number,
    deploymentId: string | undefined,
  ): ProbeResult => ({
    service: service.name,
    at: when,
    check,
    ran: true,
    ok,
    signIn: check === 'smoke:sign-in',
    statusCode,
    latencyMs,
    deploymentId,
  });

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    await db.query(upsertService(service));
    // dpl_prev served 10:00-11:00: twenty answers of 10..200 ms, one failure of 9 s (not a latency sample).
    await serve('dpl_prev', at(0));
    await db.query(
      insertProbeResults(
        Array.from({ length: 20 }, (_, i) => result(at(1 + i), 'health', true, 200, (i + 1) * 10, 'dpl_prev')),
      ),
    );
    await db.query(insertProbeResults([result(at(30), 'health', false, undefined, 9000, 'dpl_prev')]));
    // dpl_cur serves from 11:00: five slow early answers, then twenty at 300 ms.
    await serve('dpl_cur', at(60));
    await db.query(
      insertProbeResults(Array.from({ length: 5 }, (_, i) => result(at(61 + i), 'health', true, 200, 1000, 'dpl_cur'))),
    );
    await db.query(
      insertProbeResults(Array.from({ length: 20 }, (_, i) => result(at(70, i), 'version', true, 200, 300, 'dpl_cur'))),
    );
    // The interval 11:20:00-11:20:30: sign-in fails twice (500), the write probe fails, health answers.
    await db.query(
      insertProbeResults([
        result(at(80, 1), 'health', true, 200, 40, 'dpl_cur'),
        result(at(80, 1), 'smoke:sign-in', false, 500, 40, 'dpl_cur'),
        result(at(80, 1), 'db_write', false, undefined, 12, 'dpl_cur'),
        result(at(80, 16), 'smoke:sign-in', false, 500, 41, 'dpl_cur'),
        result(at(80, 16), 'db_write', false, undefined, 11, 'dpl_cur'),
        result(at(80, 16), 'health', false, undefined, 2000, undefined),
      ]),
    );
    // The interval 11:21:00-11:21:30: sign-in fails once and then passes; the write probe passes.
    await db.query(
      insertProbeResults([
        result(at(81, 1), 'smoke:sign-in', false, 500, 40, 'dpl_cur'),
        result(at(81, 16), 'smoke:sign-in', true, 200, 40, 'dpl_cur'),
        result(at(81, 16), 'db_write', true, undefined, 9, 'dpl_cur'),
      ]),
    );
  });

  afterAll(async () => {
    await db?.close();
    await database.drop();
  });

  it(
    'counts the runs in a row where sign-in and writes failed every time; the 5xx ' + 'share counts answered requests',
    async () => {
      const evidence = await probeEvidence(db, service, at(80), at(80, 30));
      expect(evidence).toEqual({
        authFailedRuns: 2,
        dbWriteFailedRuns: 2,
        fiveXxRate: 2 / 3,
        p95Ms: 300,
        baselineP95Ms: 190,
      });
    },
  );

  it(
    'reads back over probeFailuresMust intervals for the count, but the 5xx share ' + 'over the interval only',
    async () => {
      // The interval 11:20:30-11:21:00 has one failing sign-in run; the interval before it had two.
      await db.query(insertProbeResults([result(at(80, 31), 'smoke:sign-in', false, 500, 40, 'dpl_cur')]));
      expect(await probeEvidence(db, service, at(80, 30), at(81))).toEqual({
        authFailedRuns: 3,
        fiveXxRate: 1,
        p95Ms: 300,
        baselineP95Ms: 190,
      });
      // With probeFailuresMust 1 nothing before the interval is read.
      const once = exampleService({ triggers: { probeFailuresMust: 1 } });
      expect((await probeEvidence(db, once, at(80, 30), at(81))).authFailedRuns).toBe(1);
    },
  );

  it('is clear on an interval whose latest attempt passed', async () => {
    const evidence = await probeEvidence(db, service, at(81), at(81, 30));
    expect(evidence).toMatchObject({ authFailedRuns: 0, dbWriteFailedRuns: 0, fiveXxRate: 0.5 });
  });

  it(
    'reads 404s from before any deployment was seen as no data, and the same 404s ' + 'once one serves as evidence',
    async () => {
      const empty = exampleService({ name: 'svc-empty' });
      await db.query(upsertService(empty));
      const notYet = (when: Date): ProbeResult[] =>
        ['health', 'version', 'smoke:sign-in'].map((check) => ({
          ...result(when, check, false, 404, 5, undefined),
          service: 'svc-empty',
        }));
      await db.query(insertProbeResults([...notYet(at(10)), ...notYet(at(10, 30))]));
      expect(await probeEvidence(db, empty, at(10, 30), at(11))).toEqual({});
      // The version probe sees a deployment at 10:11:00; its run and later ones answer for the app.
      await db.query(startServing({ service: 'svc-empty', deploymentId: 'dpl_first' }, at(11)));
      await db.query(insertProbeResults(notYet(at(11)).map((r) => ({ ...r, deploymentId: 'dpl_first' }))));
      // A later run whose version check got no answer it could read is still after the sighting.
      await db.query(insertProbeResults(notYet(at(11, 30))));
      expect(await probeEvidence(db, empty, at(10, 30), at(11))).toEqual({});
      expect(await probeEvidence(db, empty, at(11), at(11, 30))).toMatchObject({ authFailedRuns: 1, fiveXxRate: 0 });
      expect(await probeEvidence(db, empty, at(11, 30), at(12))).toMatchObject({ authFailedRuns: 2 });
    },
  );

  it('has no data for the checks an interval did not run, but still knows the deployment P95s', async () => {
    expect(await probeEvidence(db, service, at(90), at(90, 30))).toEqual({ p95Ms: 300, baselineP95Ms: 190 });
  });

  it('takes P95 from the last 20 samples only, and has none under 5 samples', async () => {
    // At 11:07 dpl_cur had its five 1000 ms answers only: P95 1000, and the 300 ms ones were not yet.
    expect((await probeEvidence(db, service, at(66), at(66, 30))).p95Ms).toBe(1000);
    expect((await probeEvidence(db, service, at(63), at(63, 30))).p95Ms).toBeUndefined();
  });

  it('has no baseline before any earlier deployment served', async () => {
    const fresh = exampleService({ name: 'svc-fresh' });
    await db.query(upsertService(fresh));
    await db.query(
      insertProbeResults(
        Array.from({ length: 6 }, (_, i) => ({
          ...result(at(5, i), 'health', true, 200, 50, 'dpl_only'),
          service: 'svc-fresh',
        })),
      ),
    );
    expect(await probeEvidence(db, fresh, at(5), at(5, 30))).toEqual({ fiveXxRate: 0, p95Ms: 50 });
  });
});
