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
import { stringify } from 'yaml';
import { migrateDeploy, withClient } from '../../src/drill/app-database';
import { createScratchRepo, type ScratchRepo } from '../../src/drill/scratch-repo';
import { type VercelStandin, startVercelStandin } from '../../src/standins/vercel/server';
import type { StandinDeployment } from '../../src/standins/vercel/state';
import { testDatabase } from '../support/database';
import { runDrillProcess } from './drill-process';

const SMOKE = { email: 'smoke@staging.test', password: 'staging-smoke-secret' };

function serviceYaml(vercel: VercelStandin, remote: string, productionUrl = vercel.appUrl): string {
  return stringify({
    services: [
      {
        name: 'clinical-staging',
        vercel: { projectId: 'clinical-staging', teamId: 'team_staging', rollbackMethod: 'promote', aliasDeadlineSeconds: 30 },
        production: {
          url: productionUrl,
          verifyDeadlineSeconds: 10,
          smokeTests: [{ name: 'sign-in', method: 'POST', path: '/api/auth/signin', body: { email: SMOKE.email, password: '${SMOKE_TEST_PASSWORD}' } }],
        },
        git: { remote, branch: 'main' },
        database: { urlEnv: 'STAGING_DATABASE_URL' },
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
    await migrateDeploy(app.url, [{ name: '20260101000000_init', sql: 'CREATE TABLE "Patient" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL);' }]);
    await withClient(app.url, (c) => c.query(`INSERT INTO "Patient" (name) VALUES ('Ada'), ('Grace')`));
    vercel = await startVercelStandin({ teamId: 'team_staging', projectName: 'clinical-staging', smokeCredentials: SMOKE });
    repo = await createScratchRepo(join(dir, 'git'));
    base = await repo.commit({ 'package.json': '{"version":"1.9.0"}\n' }, 'feat: staging release');
    await repo.push();
    previous = vercel.state.addDeployment({ version: '1.8.0', live: true });
    current = vercel.state.addDeployment({ version: '1.9.0', commit: base, live: true });
    writeFileSync(join(dir, 'services.yaml'), serviceYaml(vercel, repo.origin));
  });

  afterAll(async () => {
    await vercel?.stop();
    await app.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the application rollback (timed), the git revert and the schema rollback, writes the report, and puts everything back', async () => {
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
    expect(text).toMatch(new RegExp(`INC-\\S+: rolled back to ${previous.id} .* command to ROLLBACK COMPLETE \\d+\\.\\d s`));
    expect(text).toMatch(/- \[x\] \*\*Test Git Revert/);
    expect(text).toMatch(/rollback-drill\/[0-9a-f]{8} is in a clean state/);
    expect(text).toMatch(/- \[x\] \*\*Test Schema Migration Rollback/);
    expect(text).toMatch(/No data loss: the migration applied again and 25 rows from rollback_archive\.\S+ restored/);
    expect(text).toContain('- [ ] **Test Backup Restoration**');

    // Every target as it was: production on the deployment it served, no drill branch, the app database untouched.
    expect(vercel.state.production()?.id).toBe(current.id);
    expect(vercel.state.count('POST', '/promote/')).toBe(2);
    expect(execFileSync('git', ['branch', '--list', 'rollback-drill/*'], { cwd: repo.origin, encoding: 'utf8' }).trim()).toBe('');
    expect(await repo.originHead()).toBe(base);
    await withClient(app.url, async (c) => {
      expect((await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE '_rollback_drill_%'`)).rows[0].n).toBe(0);
      expect((await c.query(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`)).rows.map((r: { migration_name: string }) => r.migration_name)).toEqual(['20260101000000_init']);
      expect((await c.query(`SELECT count(*)::int AS n FROM rollback_archive.manifest`)).rows[0].n).toBe(0);
      expect((await c.query(`SELECT name FROM "Patient" ORDER BY id`)).rows).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
    });
  }, 180_000);

  it('refuses with exit 2 when VERCEL_TOKEN is missing, naming it', async () => {
    const run = await runDrillProcess(['--service', 'clinical-staging'], { ...env(), VERCEL_TOKEN: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/VERCEL_TOKEN is not set/);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('refuses targets that are not on this machine without --yes, saying what it would do', async () => {
    writeFileSync(join(dir, 'remote.yaml'), serviceYaml(vercel, 'https://github.com/dr-amal/clinical-os.git', 'https://staging.dr-amal.com'));
    const run = await runDrillProcess(['--service', 'clinical-staging'], { ...env(), ROLLBACK_CONFIG: join(dir, 'remote.yaml') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The drill will, on clinical-staging (clinical-staging):');
    expect(run.stderr).toContain('https://staging.dr-amal.com');
    expect(run.stderr).toContain('Run again with --yes to go ahead');
    expect(run.stdout).toBe('');
  }, 30_000);

  it('answers a usage error with exit 2', async () => {
    const run = await runDrillProcess(['--break', 'nothing'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--break expects one of vercel-promote, vercel-build, got nothing/);
  }, 30_000);
});
