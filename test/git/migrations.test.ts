import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RollbackError } from '../../src/rollback/errors';
import type { CommitSha } from '../../src/rollback/ids';
import { ASKER, INCIDENT, SERVICE, adapterFor, createSandbox, serviceFor, type Sandbox } from './support/git-fixture';

describe('git facts for the schema rollback', () => {
  let sb: Sandbox;
  let c0: CommitSha;
  let c1: CommitSha;
  let c2: CommitSha;
  let c3: CommitSha;

  beforeEach(() => {
    sb = createSandbox();
    c0 = sb.commit({ 'app.ts': 'v0\n' }, 'chore: before prisma');
    c1 = sb.commit(
      {
        'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
        'prisma/migrations/20260114_add_clinical_tables/migration.sql': 'CREATE TABLE a (id int);\n',
      },
      'feat: clinical tables',
    );
    c2 = sb.commit(
      { 'prisma/migrations/20260117_add_ai_features/migration.sql': 'ALTER TABLE a ADD COLUMN ai boolean;\n' },
      'feat(ai): AI',
    );
    c3 = sb.commit({ 'prisma/migrations/20260118_more/migration.sql': 'SELECT 1;\n' }, 'feat: more');
    sb.push();
  });
  afterEach(() => sb.cleanup());

  it('lists the migration folders present at one commit and not the other', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    await expect(adapter.migrationsBetween(SERVICE, c3, c1)).resolves.toEqual({
      onlyAtFrom: ['20260117_add_ai_features', '20260118_more'],
      onlyAtTo: [],
    });
    await expect(adapter.migrationsBetween(SERVICE, c1, c2)).resolves.toEqual({
      onlyAtFrom: [],
      onlyAtTo: ['20260117_add_ai_features'],
    });
    await expect(adapter.migrationsBetween(SERVICE, c0, c1)).resolves.toEqual({
      onlyAtFrom: [],
      onlyAtTo: ['20260114_add_clinical_tables'],
    });
  });

  it('copies the migrations folder at a commit into a temporary folder and cleans it up', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const exported = await adapter.exportMigrations(SERVICE, c2);
    expect(exported.commit).toBe(c2);
    expect(readdirSync(exported.dir).sort()).toEqual([
      '20260114_add_clinical_tables',
      '20260117_add_ai_features',
      'migration_lock.toml',
    ]);
    expect(readFileSync(join(exported.dir, '20260117_add_ai_features', 'migration.sql'), 'utf8')).toContain(
      'ADD COLUMN ai',
    );
    await exported.cleanup();
    expect(existsSync(exported.dir)).toBe(false);

    const none = await adapter.exportMigrations(SERVICE, c0);
    expect(readdirSync(none.dir)).toEqual([]);
    await none.cleanup();
  });

  it('commits the removal of one migration folder on the deploy branch, once per incident', async () => {
    const adapter = adapterFor(sb, [serviceFor(sb.origin)]);
    const input = { service: SERVICE, migration: '20260118_more', incidentId: INCIDENT, requestedBy: ASKER };
    const first = await adapter.removeMigration(input);
    expect(first.status).toBe('done');
    expect(sb.originHead()).toBe(first.commit);
    expect(
      sb
        .git(sb.origin, 'ls-tree', '-d', '--name-only', 'refs/heads/main:prisma/migrations')
        .split('\n')
        .filter(Boolean),
    ).toEqual(['20260114_add_clinical_tables', '20260117_add_ai_features']);
    const message = sb.git(sb.origin, 'log', '-1', '--format=%B', first.commit);
    expect(message).toContain('Rollback-Removes-Migration: 20260118_more');
    expect(message).toContain(`Rollback-Incident: ${INCIDENT}`);

    const second = await adapter.removeMigration(input);
    expect(second).toMatchObject({ status: 'already-done', commit: first.commit });
    expect(sb.originHead()).toBe(first.commit);

    const own = await adapter.findOwnRevert(SERVICE, INCIDENT);
    expect(own).toEqual({
      commit: first.commit,
      incidentId: INCIDENT,
      reverted: [],
      removedMigrations: ['20260118_more'],
    });

    const missing = (await adapter
      .removeMigration({ ...input, migration: '20990101_nope' })
      .catch((e: unknown) => e)) as RollbackError;
    expect(missing.code).toBe('not_found');
    const bad = (await adapter
      .removeMigration({ ...input, migration: '../../etc' })
      .catch((e: unknown) => e)) as RollbackError;
    expect(bad.code).toBe('bad_input');
  });
});
