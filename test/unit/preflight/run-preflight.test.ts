import type { MigrationName } from '../../../src/rollback/ids';
import { reportToJson, reportToText } from '../../../src/rollback/preflight/format-report';
import { runPreflight } from '../../../src/rollback/preflight/run-preflight';
import { CANDIDATE, HEAD, LIVE, dangerous, fakeWorld, service } from './fakes';

const statuses = (checks: readonly { id: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(checks.map((check) => [check.id, check.status]));

describe('runPreflight', () => {
  it('checks the deploy branch head when no candidate is given, and passes with the env check skipped', async () => {
    const world = fakeWorld();
    const report = await runPreflight(world.deps, { service: service() });
    expect(report.candidate).toBe(HEAD);
    expect(report.live).toBe(LIVE);
    expect(report.checkedAt.toISOString()).toBe('2026-01-17T04:30:00.000Z');
    expect(statuses(report.checks)).toEqual({
      migrations: 'pass',
      environment: 'skip',
      'deploy-window': 'pass',
      'on-call': 'pass',
      'rollback-target': 'pass',
    });
    expect(report.passed).toBe(true);
  });

  it('fails the checklist when any one check fails, and still runs the others', async () => {
    const world = fakeWorld();
    const drop = '20260119000000_drop_phone' as MigrationName;
    world.migrations.set(CANDIDATE, ['20260101000000_init' as MigrationName, drop]);
    world.verdicts.set(drop, dangerous(drop));
    world.files.set(`${CANDIDATE}:.env.example`, 'DATABASE_URL=\n');
    const report = await runPreflight(world.deps, {
      service: service(),
      candidate: CANDIDATE.slice(0, 40),
      productionEnvNames: ['DATABASE_URL'],
    });
    expect(statuses(report.checks)).toEqual({
      migrations: 'fail',
      environment: 'pass',
      'deploy-window': 'pass',
      'on-call': 'pass',
      'rollback-target': 'pass',
    });
    expect(report.passed).toBe(false);
  });

  it('fails the git checks on a candidate that is not a commit id, without asking git', async () => {
    const world = fakeWorld();
    const report = await runPreflight(world.deps, {
      service: service(),
      candidate: 'main; rm -rf /',
      productionEnvNames: [],
    });
    expect(report.candidate).toBeUndefined();
    expect(statuses(report.checks)).toMatchObject({ migrations: 'fail', environment: 'fail', 'on-call': 'pass' });
    expect(report.checks[0]?.detail).toMatch(/Could not determine the candidate commit: .* is not a valid commit id/);
    expect(world.exported).toEqual([]);
    expect(world.fileReads).toEqual([]);
  });

  it(
    'fails the migrations check when production cannot be read, and the window is ' + 'judged on the injected clock',
    async () => {
      const world = fakeWorld();
      world.productionError = new Error('Vercel answered 503');
      world.clock.set('2026-01-17T15:00:00Z');
      const report = await runPreflight(world.deps, { service: service() });
      expect(report.live).toBeUndefined();
      expect(statuses(report.checks)).toMatchObject({ migrations: 'fail', 'deploy-window': 'fail' });
      expect(report.checks[0]?.detail).toBe('Could not read what production runs: Vercel answered 503');
      expect(report.passed).toBe(false);
    },
  );
});

describe('report formats', () => {
  it('text: one line per check with its mark, notes and fix, and a verdict', async () => {
    const world = fakeWorld();
    const report = await runPreflight(world.deps, { service: service({ roles: { onCall: [] } }) });
    const text = reportToText(report);
    expect(text).toContain('Pre-deployment checklist for dr-amal-clinical-os');
    expect(text).toContain('candidate ccccccc, live aaaaaaa');
    expect(text).toMatch(/\[PASS\] Database migrations backward compatible: No new migrations/);
    expect(text).toMatch(/\[SKIP\] Environment variables complete: .*\n {7}fix: Pass --production-env/);
    expect(text).toMatch(/\[FAIL\] On-call engineer set: .*\n {7}fix: Add the Slack user id/);
    expect(text.trim().split('\n').pop()).toBe('Not ready: 1 check(s) failed.');
  });

  it('json: machine-readable, with every check and the overall result', async () => {
    const world = fakeWorld();
    const parsed = JSON.parse(reportToJson(await runPreflight(world.deps, { service: service() }))) as {
      passed: boolean;
      candidate: string;
      checks: { id: string; status: string; fix: string | null; notes: string[] }[];
    };
    expect(parsed.passed).toBe(true);
    expect(parsed.candidate).toBe(HEAD);
    expect(parsed.checks.map((c) => c.id)).toEqual([
      'migrations',
      'environment',
      'deploy-window',
      'on-call',
      'rollback-target',
    ]);
    expect(parsed.checks.find((c) => c.id === 'environment')).toMatchObject({
      status: 'skip',
      fix: expect.stringContaining('ROLLBACK_PREFLIGHT_ENV_NAMES'),
    });
  });
});
