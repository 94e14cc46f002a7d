/**
 * A schema rollback right after an application rollback: production serves
 * an older commit without the bad migration's folder, yet the migration is
 * applied in the database. The plan reads the SQL from the deploy branch head
 * or from the commit that added it (real git origin), checks it against the
 * checksum in `_prisma_migrations` (real PostgreSQL), and the rollback runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/rollback/clock';
import { type MigrationName, type SlackUserId, parseMigrationName } from '../../src/rollback/ids';
import type { CodeRollbackPort } from '../../src/rollback/ports/code';
import { PrismaSchemaAdapter } from '../../src/schema/prisma-schema-adapter';
import { type CatalogSnapshot, diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { serverUrl, testDatabase } from '../support/database';
import { SERVICE, adapterFor, createSandbox, serviceFor, type Sandbox } from '../git/support/git-fixture';
import { APP_MIGRATIONS, applyMigration, seedAppBeforeAi } from './support/prisma-app';
import { withClient } from '../support/database';

const INIT = '20260114000000_init';
const AI = '20260117000000_add_ai_features';
const sqlOf = (name: string): string => readFileSync(join(APP_MIGRATIONS, name, 'migration.sql'), 'utf8');
const folder = (name: string, sql = sqlOf(name)): Record<string, string> => ({
  [`prisma/migrations/${name}/migration.sql`]: sql,
});
const clock = new ManualClock('2026-01-17T12:00:00Z');
const approval = {
  approvalId: 'ap-1',
  incidentId: 'inc-1',
  action: 'schema-rollback' as const,
  approvedBy: 'U0CTO' as SlackUserId,
  role: 'cto' as const,
  approvedAt: new Date('2026-01-17T11:55:00Z'),
  expiresAt: new Date('2026-01-17T12:25:00Z'),
};

describe('schema rollback after an application rollback (migration folder absent at the serving commit)', () => {
  const db = testDatabase('schema_history');
  const schema = new PrismaSchemaAdapter({
    logger: silentLogger,
    clock,
    shadow: { serverUrl: serverUrl() },
    lockTimeoutMs: 5000,
  });
  const sandboxes: Sandbox[] = [];
  let deployed: CatalogSnapshot;
  let beforeAi: CatalogSnapshot;

  /** A repository whose history is: init, the AI migration (with `aiSql`), an app change; pushed to origin. */
  const repository = (aiSql = sqlOf(AI)): { sb: Sandbox; code: CodeRollbackPort; good: string; addedAi: string } => {
    const sb = createSandbox();
    sandboxes.push(sb);
    const good = sb.commit({ 'app.txt': 'v1.9.0\n', ...folder(INIT) }, 'feat: Complete Phase 2 frontend');
    const addedAi = sb.commit(folder(AI, aiSql), 'feat(db): AI features schema');
    sb.commit({ 'app.txt': 'v2.0.0-beta\n' }, 'feat(ai): Add AI features');
    sb.push();
    return { sb, code: adapterFor(sb, [serviceFor(sb.origin)]), good, addedAi };
  };
  /** What prepareSchemaPlans does: export the migrations at the serving commit and plan from that folder. */
  const planAt = async (
    code: CodeRollbackPort,
    serving: string,
    name: string = AI,
  ): ReturnType<PrismaSchemaAdapter['planRollback']> => {
    const exported = await code.exportMigrations(SERVICE, serving as never);
    try {
      return await schema.planRollback({
        databaseUrl: db.url,
        migrationsDir: exported.dir,
        migrationName: name as MigrationName,
        elsewhere: exported.elsewhere,
      });
    } finally {
      await exported.cleanup();
    }
  };

  beforeAll(async () => {
    await db.create();
    beforeAi = await seedAppBeforeAi(db.url, INIT);
    await applyMigration(db.url, AI);
    await withClient(db.url, async (c) => {
      await c.query(`UPDATE "ClinicalNote" SET "aiSummary" = 'summary ' || id WHERE id <= 30`);
      await c.query(
        `INSERT INTO "AiRun" ("noteId", output) SELECT id, jsonb_build_object('n', id) ` +
          `FROM "ClinicalNote" WHERE id <= 10`,
      );
      deployed = await readCatalog(c);
    });
  });
  afterAll(async () => {
    for (const sb of sandboxes) sb.cleanup();
    await db.drop();
  });

  it(
    'refuses when the only migration.sql in git differs from the checksum that was ' + 'applied, and changes nothing',
    async () => {
      const { sb, code, good, addedAi } = repository(`-- tidied after it ran\n${sqlOf(AI)}`);
      sb.commit({ [`prisma/migrations/${AI}/migration.sql`]: null }, 'Revert "feat(db): AI features schema"');
      sb.push();
      const refused = planAt(code, good);
      await expect(refused).rejects.toMatchObject({ code: 'conflict' });
      const message = String(((await refused.catch((e: unknown) => e)) as Error).message);
      expect(message).toContain(`no migration.sql found matches the checksum`);
      expect(message).toContain(`the adding commit ${addedAi.slice(0, 7)}`);
      expect(message).toContain('changed after it ran');
      expect(diffCatalogs(deployed, await withClient(db.url, readCatalog))).toEqual([]);
    },
  );

  it('says it is not in git at all when no commit ever had the folder', async () => {
    const { code, good } = repository();
    await expect(planAt(code, good, '20260116000000_never_committed')).rejects.toMatchObject({ code: 'not_found' });
    await withClient(db.url, (c) =>
      c.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, ` +
          `finished_at) VALUES ('ghost', 'abc', '20260116000000_never_committed', now(), ` +
          `now())`,
      ),
    );
    try {
      await expect(planAt(code, good, '20260116000000_never_committed')).rejects.toThrow(
        new RegExp(
          `is applied but its migration.sql is not in the commit production serves ` +
            `\\(${good.slice(0, 7)}\\), on the deploy branch head \\(\\w{7}\\) or in its ` +
            `history`,
        ),
      );
    } finally {
      await withClient(db.url, (c) => c.query(`DELETE FROM "_prisma_migrations" WHERE id = 'ghost'`));
    }
  });

  it('reads the SQL from the deploy branch head when production serves an older commit', async () => {
    const { sb, code, good } = repository();
    const plan = await planAt(code, good);
    expect(plan.source).toMatchObject({ origin: 'branch-head', commit: sb.originHead(), checksumMatches: true });
    expect(plan.source?.description).toContain(
      `Not in the commit production serves (${good.slice(0, 7)}); read from the deploy ` +
        `branch head ${sb.originHead().slice(0, 7)}.`,
    );
    expect(plan.verifiedOnShadow).toBe(true);
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  it('after the revert and the application rollback, plans from the commit that added it and rolls back', async () => {
    const { sb, code, good, addedAi } = repository();
    const revert = sb.commit(
      { [`prisma/migrations/${AI}/migration.sql`]: null, 'app.txt': 'v1.9.0\n' },
      'Revert "feat(ai): Add AI features"',
    );
    sb.push();
    // The serving commit's own folder has no AI migration: the old code path had nothing to read.
    const exported = await code.exportMigrations(SERVICE, good as never);
    expect(
      exported.elsewhere?.migrations.map((m) => [
        m.name,
        m.newerThanCommit,
        m.versions.map((v) => [v.origin, v.commit]),
      ]),
    ).toEqual([[AI, true, [['added', addedAi]]]]);
    await exported.cleanup();

    const plan = await planAt(code, good);
    expect(plan.source).toMatchObject({ origin: 'added', commit: addedAi, checksumMatches: true });
    expect(plan.source?.description).toBe(
      `Not in the commit production serves (${good.slice(0, 7)}); read from commit ` +
        `${addedAi.slice(0, 7)}, which added it. Its sha256 matches the checksum in ` +
        `_prisma_migrations.`,
    );
    expect(revert).not.toBe(addedAi);
    expect(plan.verifiedOnShadow).toBe(true);
    expect(plan.blockers).toEqual([]);
    expect(plan.dataLoss).toEqual(
      expect.arrayContaining([expect.objectContaining({ table: { schema: 'public', name: 'AiRun' }, rows: 10 })]),
    );

    const result = await schema.execute({ databaseUrl: db.url, plan, approval, incidentId: 'inc-1' });
    expect(result.migrationName).toBe(parseMigrationName(AI));
    expect(result.archived.length).toBeGreaterThan(0);
    expect(result.followUp).toContain(
      `already gone from the deploy branch head when the plan was made (its SQL came ` +
        `from commit ${addedAi.slice(0, 7)}`,
    );
    // The added enum value is removed too (the type is rebuilt without it): the schema is exactly the earlier one.
    expect(plan.irreversible).toEqual([]);
    expect(diffCatalogs(beforeAi, await withClient(db.url, readCatalog))).toEqual([]);
    const rows = await withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ rolled_back_at: Date | null }>(
            'SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1',
            [AI],
          )
        ).rows,
    );
    expect(rows.map((r) => r.rolled_back_at !== null)).toEqual([true]);
  });
});
