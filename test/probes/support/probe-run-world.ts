/**
 * The world of the probe run tests: the Vercel stand-in (real HTTP), a real
 * app database with the write probe's table (and an audit trigger that shows
 * the probe's row was committed), the bot's real PostgreSQL, and a manual
 * clock. One world per test file.
 */
import { silentLogger } from '../../../src/logger';
import type { ProbeDeps } from '../../../src/probes/probe-run';
import { ManualClock } from '../../../src/rollback/clock';
import type { ServiceConfig } from '../../../src/config/service-schema';
import { startVercelStandin, type VercelStandin } from '../../../src/standins/vercel/server';
import { createIncidentStore } from '../../../src/store/incident-store';
import { migrate } from '../../../src/store/migrate';
import { createDb, type Db } from '../../../src/store/pool';
import { upsertService } from '../../../src/store/queries/services';
import { VercelApplication } from '../../../src/vercel/vercel-application';
import { rows, type TestDatabase, testDatabase } from '../../support/database';
import { SERVICE, SMOKE } from '../../support/incident-world';
import { exampleService } from '../../support/services';

/** A latency the stand-in app takes as "hang until released". */
export const HANG_MS = 3_600_000;

interface DeploymentRow {
  deployment_id: string;
  version: string;
  served_from: Date | null;
  served_until: Date | null;
  notes: string | null;
}

interface TimelineRow {
  kind: string;
  message: string;
  incident_id: string | null;
}

interface ProbeRunWorld {
  readonly database: TestDatabase;
  readonly appDatabase: TestDatabase;
  readonly clock: ManualClock;
  readonly db: Db;
  readonly vercel: VercelStandin;
  readonly service: ServiceConfig;
  readonly deps: ProbeDeps;
  /** From now on an app whose latency is HANG_MS answers nothing until releaseHang. */
  hang(): void;
  releaseHang(): void;
  deployments(): Promise<DeploymentRow[]>;
  /** The service's "new deployment seen" entries, oldest first. */
  serviceTimeline(): Promise<TimelineRow[]>;
}

/** A probe run world for one describe block: started before its tests, stopped and dropped after. */
export function useProbeRunWorld(label: string): ProbeRunWorld {
  const database = testDatabase(label);
  const appDatabase = testDatabase(`${label}_app`);
  let started: { db: Db; vercel: VercelStandin; service: ServiceConfig; deps: ProbeDeps } | undefined;
  let releaseHang: () => void = () => undefined;
  let hanging: Promise<void> = Promise.resolve();
  const running = () => {
    if (!started) throw new Error('the probe run world starts in beforeAll');
    return started;
  };

  beforeAll(async () => {
    await Promise.all([database.create(), appDatabase.create()]);
    const db = createDb(database.url, silentLogger);
    await migrate(db, silentLogger);
    await rows(
      appDatabase.url,
      `CREATE TABLE rollback_bot_write_probe (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now());
       CREATE TABLE probe_audit (probe_id bigint NOT NULL);
       CREATE FUNCTION audit_probe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO probe_audit VALUES
         (NEW.id); RETURN NEW; END $$;
       CREATE TRIGGER audit AFTER INSERT ON rollback_bot_write_probe FOR EACH ROW EXECUTE FUNCTION audit_probe();`,
    );
    const vercel = await startVercelStandin({
      teamId: 'team_dramal',
      projectName: SERVICE,
      smokeCredentials: SMOKE,
      appSleep: (ms) => (ms >= HANG_MS ? hanging : new Promise((resolve) => setTimeout(resolve, ms))),
    });
    const service = exampleService({
      vercel: { projectId: SERVICE, teamId: 'team_dramal' },
      production: { url: vercel.appUrl },
      database: { urlEnv: 'APP_DATABASE_URL', writeProbeTable: 'public.rollback_bot_write_probe' },
    });
    await db.query(upsertService(service));
    const env = { SMOKE_TEST_PASSWORD: SMOKE.password, APP_DATABASE_URL: appDatabase.url };
    const deps: ProbeDeps = {
      db,
      store: createIncidentStore(db),
      application: new VercelApplication({
        token: vercel.token,
        apiUrl: vercel.url,
        logger: silentLogger,
        deploymentOrigin: vercel.deploymentOrigin,
        env,
      }),
      clock: world.clock,
      env,
      logger: silentLogger,
      timeoutMs: 2_000,
    };
    started = { db, vercel, service, deps };
  });

  afterAll(async () => {
    releaseHang();
    await started?.vercel.stop();
    await started?.db.close();
    await Promise.all([database.drop(), appDatabase.drop()]);
  });

  const world: ProbeRunWorld = {
    database,
    appDatabase,
    clock: new ManualClock('2026-01-20T15:00:00Z'),
    get db() {
      return running().db;
    },
    get vercel() {
      return running().vercel;
    },
    get service() {
      return running().service;
    },
    get deps() {
      return running().deps;
    },
    hang: () => {
      hanging = new Promise((resolve) => (releaseHang = resolve));
    },
    releaseHang: () => releaseHang(),
    deployments: () =>
      rows<DeploymentRow>(
        database.url,
        'SELECT deployment_id, version, served_from, served_until, notes FROM deployments ' +
          'ORDER BY first_seen_at, deployment_id',
      ),
    serviceTimeline: () =>
      rows<TimelineRow>(
        database.url,
        "SELECT kind, message, incident_id FROM timeline WHERE kind = 'deployment_seen' ORDER BY id",
      ),
  };
  return world;
}
