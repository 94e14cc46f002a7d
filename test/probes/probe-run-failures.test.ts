/**
 * A probe run against the Vercel stand-in (real HTTP), a real app database for
 * the write probe, and the bot's real PostgreSQL, when something fails: failing
 * health and sign-in, a hanging app timed out, the write probe failing on a
 * read-only database, checks that cannot run reported as not run, Vercel unable
 * to say which deployment serves, a redeploy of the same commit, and old
 * results trimmed in batches. Production starts healthy, serving a deployment
 * one run has seen.
 */
import { trimProbeResults } from '../../src/probes/probe-jobs';
import { runProbes } from '../../src/probes/probe-run';
import { probeEvidence } from '../../src/probes/probe-sample';
import { pgWriteProbe } from '../../src/probes/write-probe';
import { RollbackError } from '../../src/rollback/errors';
import { insertProbeResults, type ProbeResult } from '../../src/store/queries/probes';
import { rows, serverUrl } from '../support/database';
import { SERVICE } from '../support/incident-world';
import { HANG_MS, useProbeRunWorld } from './support/probe-run-world';

describe('a probe run', () => {
  const world = useProbeRunWorld('probes_run_failures');
  const { clock, database, appDatabase, deployments } = world;

  beforeAll(async () => {
    world.vercel.state.addDeployment({ version: '1.9.0', commit: 'b7920c6'.padEnd(40, '0'), live: true });
    await runProbes(world.deps, world.service);
  });

  it(
    'records a failing health check and a failing sign-in with their status, which ' + 'the evidence reads as broken',
    async () => {
      const live = world.vercel.state.production();
      if (!live) throw new Error('no production deployment');
      live.app.healthStatus = 503;
      live.app.smokeStatus = 500;
      clock.advance(30_000);
      const from = clock.now();
      const run = await runProbes(world.deps, world.service);
      expect(run.results.find((r) => r.check === 'health')).toMatchObject({
        ok: false,
        statusCode: 503,
        error: 'answered HTTP 503, expected 2xx',
      });
      expect(run.results.find((r) => r.check === 'smoke:sign-in')).toMatchObject({
        ok: false,
        statusCode: 500,
        signIn: true,
      });
      const evidence = await probeEvidence(world.db, world.service, from, new Date(from.getTime() + 30_000));
      expect(evidence).toMatchObject({ authFailedRuns: 1, dbWriteFailedRuns: 0, fiveXxRate: 2 / 3 });
      live.app.healthStatus = 200;
      live.app.smokeStatus = 200;
    },
  );

  it('gives a hanging app a timeout and records each check as failed "timed out after N ms"', async () => {
    const live = world.vercel.state.production();
    if (!live) throw new Error('no production deployment');
    world.hang();
    live.app.latencyMs = HANG_MS;
    clock.advance(30_000);
    const started = Date.now();
    const run = await runProbes({ ...world.deps, timeoutMs: 300 }, world.service);
    expect(Date.now() - started).toBeLessThan(5_000);
    const http = run.results.filter((r) => r.check !== 'db_write');
    expect(http.map((r) => [r.check, r.ok, r.statusCode, r.error])).toEqual([
      ['health', false, undefined, 'timed out after 300 ms'],
      ['version', false, undefined, 'timed out after 300 ms'],
      ['smoke:sign-in', false, undefined, 'timed out after 300 ms'],
    ]);
    // Without a version answer the run cannot tell which deployment served.
    expect(run.served).toEqual({});
    const evidence = await probeEvidence(world.db, world.service, clock.now(), new Date(clock.now().getTime() + 1));
    expect(evidence.authFailedRuns).toBe(1);
    expect(evidence.fiveXxRate).toBeUndefined();
    live.app.latencyMs = 0;
    world.releaseHang();
  });

  it(
    'fails the write probe when the app database refuses writes, and tells "not run" ' + 'apart from a failure',
    async () => {
      await rows(serverUrl(), `ALTER DATABASE "${appDatabase.name}" SET default_transaction_read_only = on`);
      clock.advance(30_000);
      const readOnly = await runProbes(world.deps, world.service);
      expect(readOnly.results.find((r) => r.check === 'db_write')).toMatchObject({
        ran: true,
        ok: false,
        error: expect.stringMatching(/read-only transaction/),
      });
      expect(
        (await probeEvidence(world.db, world.service, clock.now(), new Date(clock.now().getTime() + 1)))
          .dbWriteFailedRuns,
      ).toBe(1);
      await rows(serverUrl(), `ALTER DATABASE "${appDatabase.name}" SET default_transaction_read_only = off`);

      clock.advance(30_000);
      const unset = await runProbes({ ...world.deps, env: {} }, world.service);
      expect(unset.results.find((r) => r.check === 'db_write')).toMatchObject({
        ran: false,
        ok: false,
        error: expect.stringMatching(/not run: environment variable APP_DATABASE_URL/),
      });
      expect(unset.results.find((r) => r.check === 'smoke:sign-in')).toMatchObject({
        ran: false,
        error: expect.stringMatching(/SMOKE_TEST_PASSWORD is not set/),
      });
      const evidence = await probeEvidence(world.db, world.service, clock.now(), new Date(clock.now().getTime() + 1));
      expect(evidence.authFailedRuns).toBeUndefined();
      expect(evidence.dbWriteFailedRuns).toBeUndefined();
      expect(evidence.fiveXxRate).toBe(0);

      expect(await pgWriteProbe(appDatabase.url, 'x; DROP TABLE y', 1000)).toMatchObject({
        ok: false,
        error: expect.stringMatching(/not a plain table name/),
      });
      expect(
        await pgWriteProbe('postgres://nobody:secret@127.0.0.1:1/none', 'rollback_bot_write_probe', 1000),
      ).toMatchObject({ ok: false, error: expect.not.stringMatching(/secret/) });
    },
  );

  it(
    'records nothing about deployments when Vercel cannot say which deployment ' + 'serves, and asks again next run',
    async () => {
      world.vercel.state.addDeployment({ version: '2.0.1', live: true });
      clock.advance(30_000);
      const down = { describeProduction: () => Promise.reject(new RollbackError('unavailable', 'Vercel is down')) };
      const run = await runProbes({ ...world.deps, application: down }, world.service);
      expect(run.served).toEqual({ version: '2.0.1', commitSha: expect.any(String) });
      expect(run.newDeployment).toBeUndefined();
      expect((await deployments()).map((d) => d.version)).not.toContain('2.0.1');
      clock.advance(30_000);
      expect((await runProbes(world.deps, world.service)).newDeployment?.version).toBe('2.0.1');
    },
  );

  it(
    'tells a redeploy of the same commit and version apart only when the version ' + 'answer names the deployment',
    async () => {
      const live = world.vercel.state.production();
      if (!live) throw new Error('no production deployment');
      const redeploy = world.vercel.state.addDeployment({
        version: live.app.version,
        commit: live.meta.githubCommitSha,
        live: true,
      });
      clock.advance(30_000);
      expect((await runProbes(world.deps, world.service)).newDeployment).toBeUndefined();
      // An app that puts VERCEL_DEPLOYMENT_ID in its version answer.
      const withId = async (url: string, init?: RequestInit): Promise<Response> => {
        const answer = await fetch(url, init);
        if (!url.endsWith(world.service.production.versionPath)) return answer;
        const body = (await answer.json()) as Record<string, unknown>;
        return new Response(JSON.stringify({ ...body, deploymentId: world.vercel.state.production()?.id }), {
          status: answer.status,
          headers: { 'content-type': 'application/json' },
        });
      };
      clock.advance(30_000);
      const run = await runProbes({ ...world.deps, fetch: withId }, world.service);
      expect(run.newDeployment?.deploymentId).toBe(redeploy.id);
      expect(run.served.deploymentId).toBe(redeploy.id);
    },
  );

  it('trims results older than the keep time in batches, and keeps the rest', async () => {
    const old = new Date(clock.now().getTime() - 8 * 24 * 3600_000);
    const oldRows: ProbeResult[] = Array.from({ length: 2500 }, (_, i) => ({
      service: SERVICE,
      at: new Date(old.getTime() + i),
      check: 'health',
      ran: true,
      ok: true,
      signIn: false,
      statusCode: 200,
      latencyMs: 5,
    }));
    await world.db.query(insertProbeResults(oldRows));
    const [{ n: recent } = { n: 0 }] = await rows<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM probe_results WHERE at > $1',
      [new Date(old.getTime() + 10_000)],
    );
    expect(await trimProbeResults(world.db, SERVICE, new Date(clock.now().getTime() - 7 * 24 * 3600_000))).toBe(2500);
    const [{ n: left } = { n: -1 }] = await rows<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM probe_results',
    );
    expect(left).toBe(recent);
  });
});
