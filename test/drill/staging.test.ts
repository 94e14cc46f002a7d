/**
 * `rollback-bot drill --service <name>` against "staging" targets that live on
 * this machine (the Vercel stand-in as the staging project, a bare git
 * repository, a Prisma-managed database), as a real process. Proves the
 * runbook's pre-launch checklist runs through the bot and its workers, writes
 * the report, and leaves every target as it found it; and that it refuses
 * (exit 2) without what it needs or without --yes for targets elsewhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse, stringify } from 'yaml';
import { migrateDeploy, withClient } from '../../src/drill/app-database';
import { createScratchRepo, type ScratchRepo } from '../../src/drill/scratch-repo';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { testDatabase } from '../support/database';
import { runDrillProcess } from './drill-process';
import { runStagingDrill } from '../../src/drill/staging/run-staging';

/** The same database reached as another user. */
function otherUser(raw: string): string {
  const url = new URL(raw);
  url.username = 'someone';
  url.password = 'else';
  return url.toString();
}

const SMOKE = { email: 'smoke@staging.test', password: 'staging-smoke-secret' };

/**
 * The service as production knows it (project clinical-os, https://clinical.dr-amal.com, branch main,
 * CLINICAL_DATABASE_URL), with its staging section pointing at this machine's stand-ins.
 */
function serviceYaml(
  vercel: VercelStandin,
  remote: string,
  stagingUrl = vercel.appUrl,
  staging: Record<string, unknown> = {},
): string {
  return stringify({
    services: [
      {
        name: 'clinical-staging',
        vercel: {
          projectId: 'clinical-os',
          teamId: 'team_staging',
          rollbackMethod: 'promote',
          aliasDeadlineSeconds: 30,
        },
        production: {
          url: 'https://clinical.dr-amal.com',
          verifyDeadlineSeconds: 10,
          smokeTests: [
            {
              name: 'sign-in',
              method: 'POST',
              path: '/api/auth/signin',
              body: { email: SMOKE.email, password: '${SMOKE_TEST_PASSWORD}' },
            },
          ],
        },
        git: { remote, branch: 'main' },
        database: { urlEnv: 'CLINICAL_DATABASE_URL' },
        staging: {
          projectId: 'clinical-staging',
          url: stagingUrl,
          branch: 'staging',
          databaseUrlEnv: 'STAGING_DATABASE_URL',
          ...staging,
        },
        slack: { alertsChannel: 'C0STAGING1' },
        roles: { devopsLead: ['S0LEADS01'], cto: ['U0CTO0001'] },
        workingHours: { timeZone: 'America/New_York' },
      },
    ],
  });
}

describe('rollback-bot drill --service (the pre-launch checklist on staging)', () => {
  const app = testDatabase('drill_staging_app');
  let dir: string;
  let vercel: VercelStandin;
  let repo: ScratchRepo;
  let current: StandinDeployment;
  let previous: StandinDeployment;
  let base: string;
  const env = (): Record<string, string> => ({
    ROLLBACK_CONFIG: join(dir, 'services.yaml'),
    VERCEL_TOKEN: vercel.token,
    VERCEL_API_URL: vercel.url,
    STAGING_DATABASE_URL: app.url,
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
    SMOKE_TEST_PASSWORD: SMOKE.password,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drill-staging-'));
    await app.create();
    await migrateDeploy(app.url, [
      { name: '20260101000000_init', sql: 'CREATE TABLE "Patient" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL);' },
    ]);
    await withClient(app.url, (c) => c.query(`INSERT INTO "Patient" (name) VALUES ('Ada'), ('Grace')`));
    vercel = await startVercelStandin({
      teamId: 'team_staging',
      projectName: 'clinical-staging',
      smokeCredentials: SMOKE,
    });
    repo = await createScratchRepo(join(dir, 'git'));
    base = await repo.commit({ 'package.json': '{"version":"1.9.0"}\n' }, 'feat: staging release');
    await repo.push();
    // Staging deploys from its own branch; production's (main) must come out of the drill unchanged.
    execFileSync('git', ['branch', 'staging', 'main'], { cwd: repo.origin });
    previous = vercel.state.addDeployment({ version: '1.8.0', live: true });
    current = vercel.state.addDeployment({ version: '1.9.0', commit: base, live: true });
    writeFileSync(join(dir, 'services.yaml'), serviceYaml(vercel, repo.origin));
  });

  afterAll(async () => {
    await vercel?.stop();
    await app.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'runs the application rollback (timed), the git revert and the schema rollback, ' +
      'writes the report, and puts everything back',
    async () => {
      const report = join(dir, 'report.md');
      const run = await runDrillProcess(['--service', 'clinical-staging', '--report', report], env());
      if (run.code !== 0) throw new Error(`drill exited ${run.code}:\n${run.stdout.slice(-5000)}\n${run.stderr}`);
      expect(run.stdout).toMatch(/\[1\/3\] Test Application Rollback \(timed, < 5 min\): PASSED/);
      expect(run.stdout).toMatch(/\[2\/3\] Test Git Revert \(throwaway branch\): PASSED/);
      expect(run.stdout).toMatch(/\[3\/3\] Test Schema Migration Rollback \(staging database\): PASSED/);
      expect(run.stdout).toContain('✅ ROLLBACK COMPLETE');
      expect(run.leftInTmp).toEqual([]);

      const text = readFileSync(report, 'utf8');
      expect(text).toContain('- **Result:** PASSED');
      expect(text).toMatch(/- \[x\] \*\*Test Application Rollback \(timed, < 5 min\)\*\*/);
      expect(text).toMatch(
        new RegExp(`INC-\\S+: rolled back to ${previous.id} .* command to ROLLBACK COMPLETE \\d+\\.\\d s`),
      );
      expect(text).toMatch(/- \[x\] \*\*Test Git Revert/);
      expect(text).toMatch(/rollback-drill\/[0-9a-f]{8} is in a clean state/);
      expect(text).toMatch(/- \[x\] \*\*Test Schema Migration Rollback/);
      expect(text).toMatch(/No data loss: the migration applied again and 25 rows from rollback_archive\.\S+ restored/);
      expect(text).toContain('- [ ] **Test Backup Restoration**');

      // Every target as it was: production on the deployment it served, no drill branch, the app database untouched.
      expect(vercel.state.production()?.id).toBe(current.id);
      expect(vercel.state.count('POST', '/promote/')).toBe(2);
      expect(
        execFileSync('git', ['branch', '--list', 'rollback-drill/*'], { cwd: repo.origin, encoding: 'utf8' }).trim(),
      ).toBe('');
      expect(await repo.originHead()).toBe(base);
      expect(
        execFileSync('git', ['rev-parse', 'refs/heads/staging'], { cwd: repo.origin, encoding: 'utf8' }).trim(),
      ).toBe(base);
      // The drill branched from staging, not from production's main.
      expect(text).toMatch(/Pushed rollback-drill\/[0-9a-f]{8} from staging/);
      await withClient(app.url, async (c) => {
        expect(
          (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE '_rollback_drill_%'`)).rows[0]
            .n,
        ).toBe(0);
        expect(
          (await c.query(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`)).rows.map(
            (r: { migration_name: string }) => r.migration_name,
          ),
        ).toEqual(['20260101000000_init']);
        expect((await c.query(`SELECT count(*)::int AS n FROM rollback_archive.manifest`)).rows[0].n).toBe(0);
        expect((await c.query(`SELECT name FROM "Patient" ORDER BY id`)).rows).toEqual([
          { name: 'Ada' },
          { name: 'Grace' },
        ]);
      });
    },
    180_000,
  );

  it('refuses with exit 2 when VERCEL_TOKEN is missing, naming it', async () => {
    const run = await runDrillProcess(['--service', 'clinical-staging'], { ...env(), VERCEL_TOKEN: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/VERCEL_TOKEN is not set/);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('refuses targets that are not on this machine without --yes, saying what it would do', async () => {
    writeFileSync(
      join(dir, 'remote.yaml'),
      serviceYaml(vercel, 'https://github.com/dr-amal/clinical-os.git', 'https://staging.dr-amal.com'),
    );
    const run = await runDrillProcess(['--service', 'clinical-staging'], {
      ...env(),
      ROLLBACK_CONFIG: join(dir, 'remote.yaml'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The drill will, on clinical-staging (clinical-staging):');
    expect(run.stderr).toContain('https://staging.dr-amal.com');
    expect(run.stderr).toContain('Run again with --yes to go ahead');
    expect(run.stdout).toBe('');
  }, 30_000);

  it(
    "refuses with exit 2, naming the field, when a staging target is production's or " + 'there is no staging section',
    async () => {
      const cases: [string, string, Record<string, string>?][] = [
        [
          serviceYaml(vercel, repo.origin, vercel.appUrl, { projectId: 'clinical-os' }),
          "staging.projectId of clinical-staging is production's Vercel project " +
            '(clinical-os): the drill would roll production back.',
        ],
        [
          serviceYaml(vercel, repo.origin, 'https://Clinical.dr-amal.com/'),
          "staging.url of clinical-staging is production's URL " +
            '(https://clinical.dr-amal.com): the drill would check production.',
        ],
        [
          serviceYaml(vercel, repo.origin, vercel.appUrl, { branch: 'main' }),
          "staging.branch of clinical-staging is production's deploy branch (main): the " +
            'drill would branch from and revert on it.',
        ],
        [
          serviceYaml(vercel, repo.origin, vercel.appUrl, { databaseUrlEnv: 'CLINICAL_DATABASE_URL' }),
          'staging.databaseUrlEnv of clinical-staging (CLINICAL_DATABASE_URL) names ' +
            "production's database (CLINICAL_DATABASE_URL",
        ],
        // Two variables, one database: the same host, port and name with another user is still production's.
        [
          serviceYaml(vercel, repo.origin),
          'staging.databaseUrlEnv of clinical-staging (STAGING_DATABASE_URL) names ' +
            "production's database (CLINICAL_DATABASE_URL, ",
          { CLINICAL_DATABASE_URL: otherUser(app.url) },
        ],
        [
          stringify({
            services: [
              {
                ...(parse(serviceYaml(vercel, repo.origin)) as { services: Record<string, unknown>[] }).services[0],
                staging: undefined,
              },
            ],
          }),
          'clinical-staging has no staging section: the drill runs only against staging targets, never production.',
        ],
      ];
      const pointAtStaging =
        /Point staging\.\w+ of clinical-staging in the services file at the staging target, not production's\./;
      const addStaging =
        /Add to clinical-staging in the services file: staging: \{ projectId, url, branch, databaseUrlEnv \}/;
      const fix = new RegExp(`${pointAtStaging.source}|${addStaging.source}`);
      // Each case in-process (a process start costs seconds here); the same entry point the CLI calls.
      for (const [index, [yaml, message, extraEnv]] of cases.entries()) {
        const file = join(dir, `refused-${index}.yaml`);
        writeFileSync(file, yaml);
        const out: string[] = [];
        const err: string[] = [];
        const code = await runStagingDrill({
          service: 'clinical-staging',
          yes: true,
          keep: false,
          env: { ...env(), ROLLBACK_CONFIG: file, ...extraEnv },
          print: (l) => out.push(l),
          printError: (l) => err.push(l),
        });
        expect({ index, code, out }).toEqual({ index, code: 2, out: [] });
        expect(err.join('\n')).toContain(message);
        expect(err.join('\n')).toMatch(fix);
      }
      // And as a real process: exit 2, the reason on stderr, nothing on stdout.
      const run = await runDrillProcess(['--service', 'clinical-staging', '--yes'], {
        ...env(),
        ROLLBACK_CONFIG: join(dir, 'refused-0.yaml'),
      });
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain(cases[0]?.[1] as string);
      // Nothing was touched: production's branch and the staging project are as they were.
      expect(await repo.originHead()).toBe(base);
      expect(vercel.state.production()?.id).toBe(current.id);
    },
    90_000,
  );

  it('answers a usage error with exit 2', async () => {
    const run = await runDrillProcess(['--break', 'nothing'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--break expects one of vercel-promote, vercel-build, got nothing/);
  }, 30_000);
});
