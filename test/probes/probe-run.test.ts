/**
 * One probe run against the Vercel stand-in (real HTTP), a real app database
 * for the write probe, and the bot's real PostgreSQL: every check recorded
 * with what production served, a new deployment recorded and the previous
 * one closed, failing health and sign-in, a hanging app timed out, the write
 * probe committing (and failing on a read-only database), checks that cannot
 * run reported as not run, and old results trimmed in batches.
 */
import { Client } from 'pg';
import { silentLogger } from '../../src/logger';
import { trimProbeResults } from '../../src/probes/probe-jobs';
import { runProbes, type ProbeDeps } from '../../src/probes/probe-run';
import { probeEvidence } from '../../src/probes/probe-sample';
import { pgWriteProbe } from '../../src/probes/write-probe';
import { ManualClock } from '../../src/rollback/clock';
import { RollbackError } from '../../src/rollback/errors';
import type { ServiceConfig } from '../../src/config/service-schema';
import { startVercelStandin, type VercelStandin } from '../../src/standins/vercel/server';
import { createIncidentStore } from '../../src/store/incident-store';
import { migrate } from '../../src/store/migrate';
import { createDb, type Db } from '../../src/store/pool';
import { insertProbeResults, type ProbeResult } from '../../src/store/queries/probes';
import { upsertService } from '../../src/store/queries/services';
import { VercelApplication } from '../../src/vercel/vercel-application';
import { serverUrl, testDatabase } from '../support/database';
import { exampleService } from '../support/services';

const SERVICE = 'dr-amal-clinical-os';
const SMOKE = { email: 'test@example.com', password: 'smoke-secret-123' };
const HANG_MS = 3_600_000;

async function sql<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('a probe run', () => {
  const database = testDatabase('probes_run');
  const appDatabase = testDatabase('probes_app');
  const clock = new ManualClock('2026-01-20T15:00:00Z');
  let db: Db;
  let vercel: VercelStandin;
  let service: ServiceConfig;
  let deps: ProbeDeps;
  let releaseHang: () => void = () => undefined;
  let hanging: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    await Promise.all([database.create(), appDatabase.create()]);
    db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    await sql(
      appDatabase.url,
      `CREATE TABLE rollback_bot_write_probe (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now());
       CREATE TABLE probe_audit (probe_id bigint NOT NULL);
       CREATE FUNCTION audit_probe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO probe_audit VALUES
         (NEW.id); RETURN NEW; END $$;
       CREATE TRIGGER audit AFTER INSERT ON rollback_bot_write_probe FOR EACH ROW EXECUTE FUNCTION audit_probe();`,
    );
    vercel = await startVercelStandin({
      teamId: 'team_dramal',
      projectName: SERVICE,
      smokeCredentials: SMOKE,
      appSleep: (ms) => (ms >= HANG_MS ? hanging : new Promise((resolve) => setTimeout(resolve, ms))),
    });
    service = exampleService({
      vercel: { projectId: SERVICE, teamId: 'team_dramal' },
      production: { url: vercel.appUrl },
      database: { urlEnv: 'APP_DATABASE_URL', writeProbeTable: 'public.rollback_bot_write_probe' },
    });
    await db.query(upsertService(service));
    const env = { SMOKE_TEST_PASSWORD: SMOKE.password, APP_DATABASE_URL: appDatabase.url };
    deps = {
      db,
      store: createIncidentStore(db),
      application: new VercelApplication({
        token: vercel.token,
        apiUrl: vercel.url,
        logger: silentLogger,
        deploymentOrigin: vercel.deploymentOrigin,
        env,
      }),
      clock,
      env,
      logger: silentLogger,
      timeoutMs: 2_000,
    };
  });

  afterAll(async () => {
    releaseHang();
    await vercel?.stop();
    await db?.close();
    await Promise.all([database.drop(), appDatabase.drop()]);
  });

  const deployments = () =>
    sql<{
      deployment_id: string;
      version: string;
      served_from: Date | null;
      served_until: Date | null;
      notes: string | null;
    }>(
      database.url,
      'SELECT deployment_id, version, served_from, served_until, notes FROM deployments ' +
        'ORDER BY first_seen_at, deployment_id',
    );
  const serviceTimeline = () =>
    sql<{ kind: string; message: string; incident_id: string | null }>(
      database.url,
      "SELECT kind, message, incident_id FROM timeline WHERE kind = 'deployment_seen' ORDER BY id",
    );

  it('records every check with what production served, and the first deployment it sees', async () => {
    const good = vercel.state.addDeployment({
      version: '1.9.0',
      commit: 'b7920c6'.padEnd(40, '0'),
      commitMessage: 'feat: Complete Phase 2 frontend\n\nlong body',
      live: true,
    });
    const run = await runProbes(deps, service);
    expect(run.results.map((r) => [r.check, r.ok, r.statusCode, r.signIn])).toEqual([
      ['health', true, 200, false],
      ['version', true, 200, false],
      ['smoke:sign-in', true, 200, true],
      ['db_write', true, undefined, false],
    ]);
    expect(run.served).toEqual({ deploymentId: good.id, version: '1.9.0', commitSha: 'b7920c6' });
    expect(run.newDeployment?.deploymentId).toBe(good.id);
    const stored = await sql<{
      check_name: string;
      deployment_id: string;
      commit_sha: string;
      latency_ms: number;
      at: Date;
    }>(database.url, 'SELECT * FROM probe_results ORDER BY id');
    expect(stored).toHaveLength(4);
    expect(
      stored.every(
        (r) =>
          r.deployment_id === good.id &&
          r.commit_sha === 'b7920c6' &&
          r.at.getTime() === clock.now().getTime() &&
          r.latency_ms >= 0,
      ),
    ).toBe(true);
    expect(await deployments()).toEqual([
      {
        deployment_id: good.id,
        version: '1.9.0',
        served_from: clock.now(),
        served_until: null,
        notes: 'feat: Complete Phase 2 frontend',
      },
    ]);
    expect(await serviceTimeline()).toEqual([
      {
        kind: 'deployment_seen',
        incident_id: null,
        message: expect.stringMatching(/^New deployment seen: 1\.9\.0, commit b7920c6 \(dpl_\w+\)\.$/),
      },
    ]);
    // The write probe committed its row (the audit trigger's row survived) and deleted it again.
    expect(await sql(appDatabase.url, 'SELECT * FROM rollback_bot_write_probe')).toEqual([]);
    expect(await sql(appDatabase.url, 'SELECT * FROM probe_audit')).toHaveLength(1);
  });

  it('sees production move to a new deployment: records it from now and closes the previous one, once', async () => {
    const [before] = await deployments();
    clock.advance(30_000);
    const bad = vercel.state.addDeployment({ version: '2.0.0-beta', commit: 'b90de38'.padEnd(40, '1'), live: true });
    const run = await runProbes(deps, service);
    expect(run.newDeployment).toMatchObject({ deploymentId: bad.id, version: '2.0.0-beta', servedFrom: clock.now() });
    expect(await deployments()).toEqual([
      { ...before, served_until: clock.now() },
      expect.objectContaining({ deployment_id: bad.id, served_from: clock.now(), served_until: null }),
    ]);
    expect((await serviceTimeline()).at(-1)?.message).toMatch(
      new RegExp(
        /^New deployment seen: 2\.0\.0-beta, commit b90de38 \(dpl_\w+\), /.source +
          /replacing 1\.9\.0 \(commit b7920c6, dpl_\w+\)\.$/.source,
      ),
    );

    clock.advance(30_000);
    const again = await runProbes(deps, service);
    expect(again.newDeployment).toBeUndefined();
    expect(again.served.deploymentId).toBe(bad.id);
    expect(await serviceTimeline()).toHaveLength(2);
    expect(vercel.state.count('GET', '/v9/projects')).toBe(2);
  });

  it(
    "dates a new deployment's go-live from Vercel's alias time, never before the last " +
      'run that saw the previous one',
    async () => {
      // Go-live is when production started serving it, not when a probe happened to notice: 20 s before this run.
      clock.advance(30_000);
      const lastSeenOld = clock.now();
      await runProbes(deps, service);
      clock.advance(30_000);
      const next = vercel.state.addDeployment({ version: '3.0.1', commit: 'c0ffee1'.padEnd(40, '2'), live: true });
      next.aliasAssigned = clock.now().getTime() - 20_000;
      const run = await runProbes(deps, service);
      expect(run.newDeployment).toMatchObject({
        deploymentId: next.id,
        servedFrom: new Date(clock.now().getTime() - 20_000),
      });
      expect((await deployments()).find((d) => d.deployment_id === next.id)?.served_from).toEqual(
        new Date(clock.now().getTime() - 20_000),
      );

      // An alias time from before the previous deployment was last seen serving (a deployment promoted again)
      // is bounded by that run.
      clock.advance(30_000);
      const lastSeenNext = clock.now();
      await runProbes(deps, service);
      clock.advance(30_000);
      const again = vercel.state.addDeployment({ version: '3.0.2', commit: 'c0ffee2'.padEnd(40, '3'), live: true });
      again.aliasAssigned = lastSeenOld.getTime();
      expect((await runProbes(deps, service)).newDeployment?.servedFrom).toEqual(lastSeenNext);
    },
  );

  it(
    'records a failing health check and a failing sign-in with their status, which ' + 'the evidence reads as broken',
    async () => {
      const live = vercel.state.production();
      if (!live) throw new Error('no production deployment');
      live.app.healthStatus = 503;
      live.app.smokeStatus = 500;
      clock.advance(30_000);
      const from = clock.now();
      const run = await runProbes(deps, service);
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
      const evidence = await probeEvidence(db, service, from, new Date(from.getTime() + 30_000));
      expect(evidence).toMatchObject({ authFailedRuns: 1, dbWriteFailedRuns: 0, fiveXxRate: 2 / 3 });
      live.app.healthStatus = 200;
      live.app.smokeStatus = 200;
    },
  );

  it('gives a hanging app a timeout and records each check as failed "timed out after N ms"', async () => {
    const live = vercel.state.production();
    if (!live) throw new Error('no production deployment');
    hanging = new Promise((resolve) => (releaseHang = resolve));
    live.app.latencyMs = HANG_MS;
    clock.advance(30_000);
    const started = Date.now();
    const run = await runProbes({ ...deps, timeoutMs: 300 }, service);
    expect(Date.now() - started).toBeLessThan(5_000);
    const http = run.results.filter((r) => r.check !== 'db_write');
    expect(http.map((r) => [r.check, r.ok, r.statusCode, r.error])).toEqual([
      ['health', false, undefined, 'timed out after 300 ms'],
      ['version', false, undefined, 'timed out after 300 ms'],
      ['smoke:sign-in', false, undefined, 'timed out after 300 ms'],
    ]);
    // Without a version answer the run cannot tell which deployment served.
    expect(run.served).toEqual({});
    const evidence = await probeEvidence(db, service, clock.now(), new Date(clock.now().getTime() + 1));
    expect(evidence.authFailedRuns).toBe(1);
    expect(evidence.fiveXxRate).toBeUndefined();
    live.app.latencyMs = 0;
    releaseHang();
  });

  it(
    'fails the write probe when the app database refuses writes, and tells "not run" ' + 'apart from a failure',
    async () => {
      await sql(serverUrl(), `ALTER DATABASE "${appDatabase.name}" SET default_transaction_read_only = on`);
      clock.advance(30_000);
      const readOnly = await runProbes(deps, service);
      expect(readOnly.results.find((r) => r.check === 'db_write')).toMatchObject({
        ran: true,
        ok: false,
        error: expect.stringMatching(/read-only transaction/),
      });
      expect(
        (await probeEvidence(db, service, clock.now(), new Date(clock.now().getTime() + 1))).dbWriteFailedRuns,
      ).toBe(1);
      await sql(serverUrl(), `ALTER DATABASE "${appDatabase.name}" SET default_transaction_read_only = off`);

      clock.advance(30_000);
      const unset = await runProbes({ ...deps, env: {} }, service);
      expect(unset.results.find((r) => r.check === 'db_write')).toMatchObject({
        ran: false,
        ok: false,
        error: expect.stringMatching(/not run: environment variable APP_DATABASE_URL/),
      });
      expect(unset.results.find((r) => r.check === 'smoke:sign-in')).toMatchObject({
        ran: false,
        error: expect.stringMatching(/SMOKE_TEST_PASSWORD is not set/),
      });
      const evidence = await probeEvidence(db, service, clock.now(), new Date(clock.now().getTime() + 1));
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
      vercel.state.addDeployment({ version: '2.0.1', live: true });
      clock.advance(30_000);
      const down = { describeProduction: () => Promise.reject(new RollbackError('unavailable', 'Vercel is down')) };
      const run = await runProbes({ ...deps, application: down }, service);
      expect(run.served).toEqual({ version: '2.0.1', commitSha: expect.any(String) });
      expect(run.newDeployment).toBeUndefined();
      expect((await deployments()).map((d) => d.version)).not.toContain('2.0.1');
      clock.advance(30_000);
      expect((await runProbes(deps, service)).newDeployment?.version).toBe('2.0.1');
    },
  );

  it(
    'tells a redeploy of the same commit and version apart only when the version ' + 'answer names the deployment',
    async () => {
      const live = vercel.state.production();
      if (!live) throw new Error('no production deployment');
      const redeploy = vercel.state.addDeployment({
        version: live.app.version,
        commit: live.meta.githubCommitSha,
        live: true,
      });
      clock.advance(30_000);
      expect((await runProbes(deps, service)).newDeployment).toBeUndefined();
      // An app that puts VERCEL_DEPLOYMENT_ID in its version answer.
      const withId = async (url: string, init?: RequestInit): Promise<Response> => {
        const answer = await fetch(url, init);
        if (!url.endsWith(service.production.versionPath)) return answer;
        const body = (await answer.json()) as Record<string, unknown>;
        return new Response(JSON.stringify({ ...body, deploymentId: vercel.state.production()?.id }), {
          status: answer.status,
          headers: { 'content-type': 'application/json' },
        });
      };
      clock.advance(30_000);
      const run = await runProbes({ ...deps, fetch: withId }, service);
      expect(run.newDeployment?.deploymentId).toBe(redeploy.id);
      expect(run.served.deploymentId).toBe(redeploy.id);
    },
  );

  it('trims results older than the keep time in batches, and keeps the rest', async () => {
    const old = new Date(clock.now().getTime() - 8 * 24 * 3600_000);
    const rows: ProbeResult[] = Array.from({ length: 2500 }, (_, i) => ({
      service: SERVICE,
      at: new Date(old.getTime() + i),
      check: 'health',
      ran: true,
      ok: true,
      signIn: false,
      statusCode: 200,
      latencyMs: 5,
    }));
    await db.query(insertProbeResults(rows));
    const [{ n: recent } = { n: 0 }] = await sql<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM probe_results WHERE at > $1',
      [new Date(old.getTime() + 10_000)],
    );
    expect(await trimProbeResults(db, SERVICE, new Date(clock.now().getTime() - 7 * 24 * 3600_000))).toBe(2500);
    const [{ n: left } = { n: -1 }] = await sql<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM probe_results',
    );
    expect(left).toBe(recent);
  });
});
