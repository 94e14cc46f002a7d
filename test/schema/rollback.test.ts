import { Client } from 'pg';
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/rollback/clock';
import { parseMigrationName, type SlackUserId } from '../../src/rollback/ids';
import type { RecordedApproval } from '../../src/rollback/ports/approval';
import { run as restoreCli } from '../../src/cli/restore-archive';
import { PrismaSchemaAdapter } from '../../src/schema/prisma-schema-adapter';
import { type CatalogSnapshot, diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { serverUrl, testDatabase } from '../support/database';
import { APP_MIGRATIONS, applyMigration, seedAppBeforeAi } from './support/prisma-app';
import { withClient } from '../support/database';

const INIT = '20260114000000_init';
const AI = '20260117000000_add_ai_features';
const clock = new ManualClock('2026-01-17T12:00:00Z');
const approval = (overrides: Partial<RecordedApproval> = {}): RecordedApproval => ({
  approvalId: 'ap-1',
  incidentId: 'inc-1',
  action: 'schema-rollback',
  approvedBy: 'U0CTO' as SlackUserId,
  role: 'cto',
  approvedAt: new Date('2026-01-17T11:55:00Z'),
  expiresAt: new Date('2026-01-17T12:25:00Z'),
  ...overrides,
});

describe('schema rollback of an applied Prisma migration', () => {
  const db = testDatabase('schema_rollback');
  const adapter = new PrismaSchemaAdapter({
    logger: silentLogger,
    clock,
    shadow: { serverUrl: serverUrl() },
    lockTimeoutMs: 5000,
  });
  let beforeAi: CatalogSnapshot;
  let afterAi: CatalogSnapshot;

  beforeAll(async () => {
    await db.create();
    beforeAi = await seedAppBeforeAi(db.url, INIT);
    await applyMigration(db.url, AI);
    await withClient(db.url, async (c) => {
      await c.query(
        `UPDATE "ClinicalNote" SET "aiSummary" = 'summary ' || id, "aiGenerated" = (id % 2 = 0) WHERE id <= 30`,
      );
      await c.query(
        `INSERT INTO "AiRun" ("noteId", output) SELECT id, jsonb_build_object('n', id) ` +
          `FROM "ClinicalNote" WHERE id <= 10`,
      );
      afterAi = await readCatalog(c);
    });
  });
  afterAll(db.drop);

  it('reports status like prisma migrate status', async () => {
    const status = await adapter.status(db.url, APP_MIGRATIONS);
    expect(status.entries.map((e) => [e.name, e.state, e.checksumMismatch])).toEqual([
      [INIT, 'applied', false],
      [AI, 'applied', false],
      ['20260118000000_add_flag', 'pending', false],
    ]);
    expect(status.summary).toContain(`Applied: ${AI}`);
  });

  it(
    'plans the inverse, lists what it cannot undo, estimates the loss and proves it ' + 'on the shadow database',
    async () => {
      const plan = await adapter.planRollback({
        databaseUrl: db.url,
        migrationsDir: APP_MIGRATIONS,
        migrationName: parseMigrationName(AI),
      });
      expect(plan.shadowDifferences).toEqual([]);
      expect(plan.verifiedOnShadow).toBe(true);
      expect(plan.blockers).toEqual([]);
      expect(plan.irreversible).toEqual([]);
      // ADD VALUE is undone by rebuilding the type without the label, so re-applying the migration works again.
      expect(plan.steps.slice(-6).map((s) => s.sql)).toEqual([
        `ALTER TYPE "Role" RENAME TO "Role__rollback_old"`,
        `CREATE TYPE "Role" AS ENUM ('DOCTOR', 'NURSE')`,
        `ALTER TABLE "public"."User" ALTER COLUMN "role" DROP DEFAULT`,
        `ALTER TABLE "public"."User" ALTER COLUMN "role" TYPE "Role" USING "role"::text::"Role"`,
        `ALTER TABLE "public"."User" ALTER COLUMN "role" SET DEFAULT 'DOCTOR'::"Role"`,
        `DROP TYPE "Role__rollback_old"`,
      ]);
      expect(plan.steps.every((s) => !/\b(User|ClinicalNote|AiRun)\b(?!")/.test(s.sql))).toBe(true);
      expect(plan.dataLoss).toEqual(
        expect.arrayContaining([
          { table: { schema: 'public', name: 'AiRun' }, effect: 'dropped', rows: 10, nonNullValues: 30 },
          {
            table: { schema: 'public', name: 'ClinicalNote' },
            column: 'aiSummary',
            effect: 'dropped',
            rows: 50,
            nonNullValues: 30,
          },
          {
            table: { schema: 'public', name: 'ClinicalNote' },
            column: 'aiGenerated',
            effect: 'dropped',
            rows: 50,
            nonNullValues: 50,
          },
        ]),
      );
      // The migration widened "body"; converting it back rewrites the column, it does not drop it.
      expect(plan.dataLoss).toContainEqual({
        table: { schema: 'public', name: 'ClinicalNote' },
        column: 'body',
        effect: 'rewritten',
        rows: 50,
        nonNullValues: 50,
      });
      expect(plan.alternatives.join(' ')).toMatch(/Forward fix.*data repair.*Feature flag/is);
    },
  );

  it('refuses without a CTO approval for this incident and action', async () => {
    const plan = await adapter.planRollback({
      databaseUrl: db.url,
      migrationsDir: APP_MIGRATIONS,
      migrationName: parseMigrationName(AI),
    });
    const base = { databaseUrl: db.url, plan, incidentId: 'inc-1' };
    await expect(adapter.execute({ ...base, approval: undefined })).rejects.toMatchObject({
      code: 'approval_required',
    });
    await expect(adapter.execute({ ...base, approval: approval({ incidentId: 'inc-2' }) })).rejects.toMatchObject({
      code: 'approval_required',
    });
    await expect(adapter.execute({ ...base, approval: approval({ action: 'git-reset' }) })).rejects.toMatchObject({
      code: 'approval_required',
    });
    await expect(
      adapter.execute({ ...base, approval: approval({ approvedAt: new Date('2026-01-17T12:26:00Z') }) }),
    ).rejects.toMatchObject({ code: 'approval_required', message: expect.stringMatching(/after its request expired/) });
    await withClient(db.url, async (c) => expect(diffCatalogs(afterAi, await readCatalog(c))).toEqual([]));
  });

  it('a lost connection mid-run rolls everything back', async () => {
    const plan = await adapter.planRollback({
      databaseUrl: db.url,
      migrationsDir: APP_MIGRATIONS,
      migrationName: parseMigrationName(AI),
    });
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE "AiRun" IN ACCESS SHARE MODE');
    const running = adapter.execute({ databaseUrl: db.url, plan, approval: approval(), incidentId: 'inc-1' });
    const outcome = running.then(
      () => undefined,
      (e: unknown) => e,
    );
    try {
      await withClient(db.url, async (c) => {
        for (let i = 0; i < 200; i += 1) {
          const r = await c.query(
            `SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE ` +
              `application_name = 'rollback-bot schema rollback' AND wait_event_type = 'Lock'`,
          );
          if (r.rowCount) return;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error('the rollback never waited on the lock');
      });
      expect(await outcome).toMatchObject({ code: 'unavailable', retryable: true });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    await withClient(db.url, async (c) => {
      expect(diffCatalogs(afterAi, await readCatalog(c))).toEqual([]);
      const archive = await c.query(`SELECT to_regnamespace('rollback_archive') AS s`);
      expect(archive.rows[0].s).toBeNull();
    });
    await expect(adapter.reconcile(db.url, parseMigrationName(AI))).resolves.toMatchObject({
      state: 'applied',
      archivedTables: [],
    });
  });

  it(
    'round trip: the schema is the pre-migration one, the archive holds exactly the ' +
      'dropped values, restore brings them back',
    async () => {
      const dropped = await withClient(db.url, async (c) => ({
        summary: (await c.query(`SELECT id, "aiSummary" FROM "ClinicalNote" WHERE "aiSummary" IS NOT NULL ORDER BY id`))
          .rows,
        runs: (await c.query(`SELECT id, "noteId", output FROM "AiRun" ORDER BY id`)).rows,
      }));
      const plan = await adapter.planRollback({
        databaseUrl: db.url,
        migrationsDir: APP_MIGRATIONS,
        migrationName: parseMigrationName(AI),
      });
      const result = await adapter.execute({ databaseUrl: db.url, plan, approval: approval(), incidentId: 'inc-1' });
      expect(result.followUp).toMatch(/deploy branch/);
      await withClient(db.url, async (c) => {
        // Exactly the pre-migration schema, the enum label the migration added included.
        expect(diffCatalogs(beforeAi, await readCatalog(c))).toEqual([]);
        const summary = result.archived.find((a) => a.target.kind === 'column' && a.target.column === 'aiSummary');
        const runs = result.archived.find((a) => a.target.kind === 'table');
        expect(
          (await c.query(`SELECT id, "aiSummary" FROM ${quoted(summary?.archiveTable)} ORDER BY id`)).rows,
        ).toEqual(dropped.summary);
        expect(
          (await c.query(`SELECT id, "noteId", output FROM ${quoted(runs?.archiveTable)} ORDER BY id`)).rows,
        ).toEqual(dropped.runs);
        const row = await c.query(`SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1`, [AI]);
        expect(row.rows[0].rolled_back_at).toBeInstanceOf(Date);
      });
      await expect(adapter.reconcile(db.url, parseMigrationName(AI))).resolves.toMatchObject({ state: 'rolled-back' });

      // Re-apply the migration unchanged (as the next migrate deploy would: its ADD VALUE works again) and restore the
      // archived values.
      await applyMigration(db.url, AI);
      const out: string[] = [];
      const err: string[] = [];
      const code = await restoreCli([AI, '--database-url', db.url], {
        stdout: (s) => out.push(s),
        stderr: (s) => err.push(s),
        env: {},
      });
      expect(err.join('')).toBe('');
      expect(code).toBe(0);
      await withClient(db.url, async (c) => {
        expect(
          (await c.query(`SELECT id, "aiSummary" FROM "ClinicalNote" WHERE "aiSummary" IS NOT NULL ORDER BY id`)).rows,
        ).toEqual(dropped.summary);
        expect((await c.query(`SELECT id, "noteId", output FROM "AiRun" ORDER BY id`)).rows).toEqual(dropped.runs);
      });
      expect(
        await restoreCli([AI, '--database-url', db.url], {
          stdout: () => undefined,
          stderr: (s) => err.push(s),
          env: {},
        }),
      ).toBe(1);
    },
  );

  it('gives clear messages for unknown, failed and already rolled back migrations', async () => {
    const plan = (name: string): Promise<unknown> =>
      adapter.planRollback({
        databaseUrl: db.url,
        migrationsDir: APP_MIGRATIONS,
        migrationName: parseMigrationName(name),
      });
    await expect(plan('20990101000000_nope')).rejects.toThrow(/not in _prisma_migrations/);
    await withClient(db.url, (c) =>
      c.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, ` +
          `logs) VALUES ('f1', 'x', '20260118000000_add_flag', now(), 'boom')`,
      ),
    );
    await expect(plan('20260118000000_add_flag')).rejects.toThrow(/failed when it was applied/);
    await withClient(db.url, (c) =>
      c.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [AI]),
    );
    await expect(plan(AI)).rejects.toThrow(/already rolled back/);
  });
});

function quoted(archiveTable: string | undefined): string {
  const [schema, name] = (archiveTable ?? '.').split('.');
  return `"${schema}"."${name}"`;
}
