import { RollbackError } from '../../../src/rollback/errors';
import type { MigrationName } from '../../../src/rollback/ids';
import {
  checkDeployWindow,
  checkEnvironment,
  checkMigrations,
  checkOnCall,
  checkRollbackTarget,
} from '../../../src/rollback/preflight/checks';
import { CANDIDATE, LIVE, dangerous, fakeWorld, service, warning } from './fakes';

const INIT = '20260101000000_init' as MigrationName;
const ADD_FLAG = '20260118000000_add_flag' as MigrationName;
const DROP_PHONE = '20260119000000_drop_phone' as MigrationName;

describe('checkMigrations', () => {
  it('skips with a reason when the live deployment names no commit', async () => {
    const world = fakeWorld();
    const result = await checkMigrations(world.deps, service(), undefined, CANDIDATE);
    expect(result.status).toBe('skip');
    expect(result.detail).toMatch(/does not say which commit/);
    expect(result.fix).toMatch(/lint-migrations/);
  });

  it('passes without linting when the candidate adds no migration', async () => {
    const world = fakeWorld();
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('pass');
    expect(result.detail).toMatch(/No new migrations/);
    expect(world.linted).toEqual([]);
  });

  it(
    'lints only the migrations new at the candidate, from the candidate export, and ' + 'cleans the export up',
    async () => {
      const world = fakeWorld();
      world.migrations.set(CANDIDATE, [INIT, ADD_FLAG]);
      const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
      expect(result.status).toBe('pass');
      expect(world.exported).toEqual([CANDIDATE]);
      expect(world.linted).toEqual([{ dir: '/tmp/export-bbbbbbb', migrations: [ADD_FLAG] }]);
      expect(world.cleanedUp).toEqual(['/tmp/export-bbbbbbb']);
    },
  );

  it('fails naming each dangerous migration and its findings', async () => {
    const world = fakeWorld();
    world.migrations.set(CANDIDATE, [INIT, ADD_FLAG, DROP_PHONE]);
    world.verdicts.set(DROP_PHONE, dangerous(DROP_PHONE));
    world.verdicts.set(ADD_FLAG, warning(ADD_FLAG));
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`1 of 2 new migration(s)`);
    expect(result.detail).toContain(DROP_PHONE);
    expect(result.notes).toEqual([
      `warning ${ADD_FLAG}/migration.sql:1 [create-index] index built without CONCURRENTLY`,
      `dangerous ${DROP_PHONE}/migration.sql:3 [drop-column] users.phone: the running code still reads it`,
    ]);
    expect(world.cleanedUp).toHaveLength(1);
  });

  it('passes with warnings noted when nothing is dangerous', async () => {
    const world = fakeWorld();
    world.migrations.set(CANDIDATE, [INIT, ADD_FLAG]);
    world.verdicts.set(ADD_FLAG, warning(ADD_FLAG));
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('pass');
    expect(result.detail).toMatch(/1 with warnings/);
    expect(result.notes).toHaveLength(1);
  });

  it('notes a migration applied in production that the candidate no longer has', async () => {
    const world = fakeWorld();
    world.migrations.set(LIVE, [INIT, ADD_FLAG]);
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('pass');
    expect(result.notes).toEqual([`${ADD_FLAG} is applied in production but absent from the candidate`]);
  });

  it('fails (not skips) when git cannot tell, passing on the adapter’s fix', async () => {
    const world = fakeWorld();
    world.migrations.delete(CANDIDATE);
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/Could not list the migrations between aaaaaaa and bbbbbbb: No commit bbbbbbb/);
    expect(result.fix).toBe('Pick a commit from main.');
  });

  it('cleans the export up even when the lint throws', async () => {
    const world = fakeWorld();
    world.migrations.set(CANDIDATE, [INIT, ADD_FLAG]);
    world.deps = {
      ...world.deps,
      linter: { lintMigrations: async () => Promise.reject(new Error('syntax error at line 2')) },
    };
    const result = await checkMigrations(world.deps, service(), LIVE, CANDIDATE);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/Could not lint the new migrations: syntax error at line 2/);
    expect(world.cleanedUp).toHaveLength(1);
  });
});

describe('checkEnvironment', () => {
  const example = 'DATABASE_URL=postgres://localhost/app\nNEXTAUTH_SECRET=\n# optional\nSENTRY_DSN=\n';

  it('skips with a reason when no production names were given, without reading git', async () => {
    const world = fakeWorld();
    const result = await checkEnvironment(world.deps, service(), CANDIDATE, undefined);
    expect(result.status).toBe('skip');
    expect(result.fix).toMatch(/--production-env/);
    expect(world.fileReads).toEqual([]);
  });

  it('skips when the candidate has no .env.example', async () => {
    const world = fakeWorld();
    const result = await checkEnvironment(world.deps, service(), CANDIDATE, ['DATABASE_URL']);
    expect(result.status).toBe('skip');
    expect(result.detail).toMatch(/has no \.env\.example/);
    expect(world.fileReads).toEqual(['bbbbbbb:.env.example']);
  });

  it('fails listing the names in the candidate’s example that production lacks', async () => {
    const world = fakeWorld();
    world.files.set(`${CANDIDATE}:.env.example`, example);
    const result = await checkEnvironment(world.deps, service(), CANDIDATE, ['DATABASE_URL', 'UNRELATED']);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      '2 of 3 variable(s) in .env.example are not set in production: NEXTAUTH_SECRET, SENTRY_DSN.',
    );
    expect(result.notes).toEqual(['NEXTAUTH_SECRET', 'SENTRY_DSN']);
  });

  it('passes when every example name is set in production', async () => {
    const world = fakeWorld();
    world.files.set(`${CANDIDATE}:.env.example`, example);
    world.files.set(`${LIVE}:.env.example`, 'ONLY_AT_LIVE=1');
    const result = await checkEnvironment(world.deps, service(), CANDIDATE, [
      'SENTRY_DSN',
      'DATABASE_URL',
      'NEXTAUTH_SECRET',
    ]);
    expect(result.status).toBe('pass');
    expect(result.detail).toBe('All 3 variable(s) in .env.example are set in production.');
  });
});

describe('checkDeployWindow (default 23:00-05:00 America/New_York)', () => {
  it.each([
    ['23:30 EST', '2026-01-17T04:30:00Z', 'pass'],
    ['23:00 EST, start inclusive', '2026-01-17T04:00:00Z', 'pass'],
    ['22:59 EST', '2026-01-17T03:59:00Z', 'fail'],
    ['04:59 EST', '2026-01-17T09:59:00Z', 'pass'],
    ['05:00 EST, end exclusive', '2026-01-17T10:00:00Z', 'fail'],
    ['10:00 EST, busy hours', '2026-01-17T15:00:00Z', 'fail'],
    ['04:30 EDT in summer', '2026-07-01T08:30:00Z', 'pass'],
    ['05:30 EDT in summer (04:30 if the offset were fixed)', '2026-07-01T09:30:00Z', 'fail'],
  ])('%s: %s', (_label, iso, status) => {
    expect(checkDeployWindow(service(), new Date(iso)).status).toBe(status);
  });

  it('says the local time and the window when it fails', () => {
    const result = checkDeployWindow(service(), new Date('2026-01-17T15:00:00Z'));
    expect(result.detail).toBe(
      'It is sat 10:00 America/New_York, outside the low-traffic deploy window every day 23:00–05:00 America/New_York.',
    );
    expect(result.fix).toMatch(/deployWindow of dr-amal-clinical-os/);
  });

  it('follows the service’s own window', () => {
    const berlin = service({ deployWindow: { timeZone: 'Europe/Berlin', start: '14:00', end: '16:00' } });
    expect(checkDeployWindow(berlin, new Date('2026-01-17T14:30:00Z')).status).toBe('pass');
    expect(checkDeployWindow(berlin, new Date('2026-01-17T04:30:00Z')).status).toBe('fail');
  });
});

describe('checkOnCall', () => {
  it('fails when roles.onCall is empty', () => {
    const result = checkOnCall(service({ roles: { onCall: [] } }));
    expect(result.status).toBe('fail');
    expect(result.fix).toMatch(/roles\.onCall/);
  });

  it('passes naming who is on call', () => {
    const result = checkOnCall(service({ roles: { onCall: ['U0ONCALL1', 'S0ONCALL1'] } }));
    expect(result.status).toBe('pass');
    expect(result.detail).toBe('On call: <@U0ONCALL1>, <@S0ONCALL1>.');
  });
});

describe('checkRollbackTarget', () => {
  it('passes naming the deployment production would go back to', async () => {
    const world = fakeWorld();
    const result = await checkRollbackTarget(world.deps, service());
    expect(result.status).toBe('pass');
    expect(result.detail).toBe(
      'Production can be rolled back to dpl_previous (version 1.9.0, commit aaaaaaa, ' +
        'created 2026-01-16T10:00:00.000Z).',
    );
  });

  it('fails with the platform’s reason and fix when there is none', async () => {
    const world = fakeWorld();
    world.targetError = new RollbackError(
      'not_found',
      'clinical-os has no earlier READY production deployment to roll back to.',
      { fix: 'Name a target explicitly.' },
    );
    const result = await checkRollbackTarget(world.deps, service());
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/no earlier READY production deployment/);
    expect(result.fix).toBe('Name a target explicitly.');
  });
});
