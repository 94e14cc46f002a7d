/**
 * Issue 14, items 3 to 10: no unproven plan runs, execution checks the live
 * catalog before it commits, enum-typed values survive the drop of their
 * type, restore goes parents first, Prisma's non-transactional files replay,
 * and the notes list real changes only. Round trips compare the catalog and
 * every value by primary key.
 */
import { run as restoreCli } from '../../src/cli/restore-archive';
import { type CatalogSnapshot, diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { withClient } from '../support/database';
import { scratchProject } from './support/scratch-project';

const quiet = { stdout: () => undefined, stderr: () => undefined, env: {} };

describe('a plain DROP COLUMN migration (0 inverse steps)', () => {
  const p = scratchProject('dropcol');
  beforeAll(async () => {
    await p.create();
    p.write({
      '20260101000000_init': `CREATE TABLE "Note" ("id" SERIAL PRIMARY KEY, "body" TEXT, "legacy" TEXT);`,
      '20260102000000_drop_legacy': `ALTER TABLE "Note" DROP COLUMN "legacy";`,
    });
    await p.apply('20260101000000_init');
    await p.query(`INSERT INTO "Note" (body, legacy) SELECT 'b' || g, 'l' || g FROM generate_series(1, 5) g`);
    await p.apply('20260102000000_drop_legacy');
  });
  afterAll(p.drop);

  it('is never proven, never run, and never marked rolled back', async () => {
    const plan = await p.plan('20260102000000_drop_legacy');
    expect(plan.steps).toEqual([]);
    expect(plan.verifiedOnShadow).toBe(false);
    expect(plan.shadowDifferences).toEqual(
      expect.arrayContaining([
        expect.stringContaining('missing: column public.Note.legacy text'),
        expect.stringMatching(/undoes nothing while the migration changed something/),
      ]),
    );
    expect(plan.blockers).toEqual([
      expect.stringMatching(/^Not proven on the shadow database with 5 sampled live row\(s\)/),
    ]);
    // Even a plan whose blockers were dropped (an older caller) is refused by execution itself.
    await expect(p.execute({ ...plan, blockers: [] })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/not proven/),
    });
    const [row] = await p.query<{ rolled_back_at: Date | null }>(
      `SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = '20260102000000_drop_legacy'`,
    );
    expect(row?.rolled_back_at).toBeNull();
  });
});

describe('self-verification inside the rollback transaction', () => {
  const p = scratchProject('selfcheck');
  let before: CatalogSnapshot;
  beforeAll(async () => {
    await p.create();
    p.write({
      '20260101000000_init': `CREATE TABLE "Note" ("id" SERIAL PRIMARY KEY, "body" TEXT);`,
      '20260102000000_add_tag':
        `ALTER TABLE "Note" ADD COLUMN "tag" TEXT;\nCREATE INDEX "Note_tag_idx" ON ` + `"Note"("tag");`,
    });
    await p.apply('20260101000000_init');
    await p.query(`INSERT INTO "Note" (body) SELECT 'b' || g FROM generate_series(1, 5) g`);
    await p.apply('20260102000000_add_tag');
    before = await withClient(p.url, readCatalog);
  });
  afterAll(p.drop);

  it(
    'rolls the whole transaction back when the live catalog differs from the shadow ' + 'one after the inverse',
    async () => {
      const plan = await p.plan('20260102000000_add_tag');
      expect(plan.verifiedWithData).toBe(true);
      // Drift made by hand after the plan: the inverse runs, but the table is not what the shadow proved.
      await p.query(`ALTER TABLE "Note" ALTER COLUMN "body" SET NOT NULL`);
      await expect(p.execute(plan)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(
          /not the one proven on the shadow.*column public.Note.body text NOT NULL.*rolled back, nothing changed/,
        ),
      });
      await p.query(`ALTER TABLE "Note" ALTER COLUMN "body" DROP NOT NULL`);
      expect(diffCatalogs(before, await withClient(p.url, readCatalog))).toEqual([]);
      const [row] = await p.query<{ rolled_back_at: Date | null }>(
        `SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = '20260102000000_add_tag'`,
      );
      expect(row?.rolled_back_at).toBeNull();
      const [archive] = await p.query<{ s: string | null }>(`SELECT to_regnamespace('rollback_archive')::text AS s`);
      expect(archive?.s).toBeNull();
      // Without the drift the same plan passes its own check and commits.
      await p.execute(plan);
    },
  );
});

describe('a new model with a new enum (the common Prisma pattern), parent and child tables', () => {
  const p = scratchProject('enummodel', { timeZone: 'America/New_York' });
  const INIT = '20260101000000_init';
  const TASKS = '20260102000000_tasks';
  let beforeTasks: CatalogSnapshot;
  beforeAll(async () => {
    await p.create();
    p.write({
      [INIT]: `CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);`,
      [TASKS]: `BEGIN;
CREATE TYPE "Priority" AS ENUM ('LOW', 'HIGH');
CREATE TABLE "Project" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL, "tags" "Priority"[]);
CREATE TABLE "Task" ("id" SERIAL PRIMARY KEY, "projectId" INTEGER NOT NULL REFERENCES "Project"("id"), "priority"
  "Priority" NOT NULL DEFAULT 'LOW', "due" TIMESTAMPTZ(3));
ALTER TABLE "User" ADD COLUMN "level" "Priority";
LOCK TABLE "User" IN SHARE MODE;
COMMIT;`,
    });
    await p.apply(INIT);
    await p.query(`INSERT INTO "User" (email) SELECT 'u' || g || '@x' FROM generate_series(1, 10) g`);
    beforeTasks = await withClient(p.url, readCatalog);
    await p.apply(TASKS);
    await p.query(
      `INSERT INTO "Project" (name, tags) SELECT 'p' || g, ARRAY['HIGH', ` +
        `'LOW']::"Priority"[] FROM generate_series(1, 3) g`,
    );
    await p.query(
      `INSERT INTO "Task" ("projectId", priority, due) SELECT 1 + g % 3, CASE WHEN g % ` +
        `2 = 0 THEN 'HIGH' ELSE 'LOW' END::"Priority", timestamptz '2026-03-29 ` +
        `01:30:00+00' + g * interval '1 hour' FROM generate_series(1, 12) g`,
    );
    await p.query(`UPDATE "User" SET level = 'HIGH' WHERE id <= 4`);
  });
  afterAll(p.drop);

  it(
    'rolls back (the type can be dropped), archives values as text with the type ' +
      'name, and restores them parents first',
    async () => {
      const values = { Project: await p.values('Project'), Task: await p.values('Task'), User: await p.values('User') };
      const plan = await p.plan(TASKS);
      expect(plan.irreversible).toEqual([]);
      expect(plan.verifiedWithData).toBe(true);
      const result = await p.execute(plan);
      expect(diffCatalogs(beforeTasks, await withClient(p.url, readCatalog))).toEqual([]);
      const manifest = await p.query<{ source_table: string; enum_columns: Record<string, string> }>(
        `SELECT source_table, enum_columns FROM rollback_archive.manifest ORDER BY 1`,
      );
      expect(manifest).toEqual([
        { source_table: 'Project', enum_columns: { tags: '"Priority"[]' } },
        { source_table: 'Task', enum_columns: { priority: '"Priority"' } },
        { source_table: 'User', enum_columns: { level: '"Priority"' } },
      ]);
      expect(result.archived.map((a) => a.rows).sort()).toEqual([12, 3, 4].sort());

      await p.apply(TASKS);
      await expect(restoreCli([TASKS, '--database-url', p.url], quiet)).resolves.toBe(0);
      expect({
        Project: await p.values('Project'),
        Task: await p.values('Task'),
        User: await p.values('User'),
      }).toEqual(values);
    },
  );
});

describe('replay and notes', () => {
  const p = scratchProject('replay');
  beforeAll(async () => {
    await p.create();
    p.write({
      '20260101000000_init':
        `CREATE TABLE "A" ("id" SERIAL PRIMARY KEY, "x" TEXT);\nCREATE TABLE "B" ("id" ` +
        `SERIAL PRIMARY KEY, "aId" INTEGER, CONSTRAINT "B_aId_fkey" FOREIGN KEY ("aId") ` +
        `REFERENCES "A"("id"));`,
      '20260102000000_concurrent_index': `CREATE INDEX CONCURRENTLY "A_x_idx" ON "A"("x");`,
      '20260103000000_drop_b': `ALTER TABLE "B" DROP CONSTRAINT "B_aId_fkey";\nDROP TABLE "B";`,
      '20260104000000_temp_and_view':
        `CREATE TEMP TABLE "scratch" AS SELECT id FROM "A";\nUPDATE "A" SET x = 'y' WHERE ` +
        `id IN (SELECT id FROM "scratch");\nDROP TABLE "scratch";\nCREATE VIEW "AView" AS ` +
        `SELECT id FROM "A";\nALTER TABLE "A" RENAME CONSTRAINT "A_pkey" TO "A_pk";`,
    });
    for (const m of ['20260101000000_init', '20260102000000_concurrent_index', '20260103000000_drop_b'])
      await p.apply(m);
  });
  afterAll(p.drop);

  it(
    'replays a file Prisma runs outside a transaction (CREATE INDEX CONCURRENTLY) and ' + 'plans the later migrations',
    async () => {
      const plan = await p.plan('20260103000000_drop_b');
      // Item 7: the key of a table the migration drops is not re-added to a table that is gone.
      expect(plan.steps).toEqual([]);
      expect(plan.irreversible.map((i) => i.reason)).toEqual([
        expect.stringMatching(/"B" is dropped later in this migration/),
        expect.stringMatching(/dropped table "B"/),
      ]);
      expect(plan.shadowDifferences.join(' ')).not.toMatch(/inverse failed/);
      expect(plan.verifiedOnShadow).toBe(false);
    },
  );

  it('temporary tables are not schema; notes list real changes only; views are compared', async () => {
    await p.apply('20260104000000_temp_and_view');
    const plan = await p.plan('20260104000000_temp_and_view');
    expect(plan.steps.map((s) => s.sql)).toEqual([`ALTER TABLE "public"."A" RENAME CONSTRAINT "A_pk" TO "A_pkey"`]);
    expect(plan.dataLoss).toEqual([]);
    expect(plan.irreversible.map((i) => i.statement)).toEqual([
      `UPDATE "A" SET x = 'y' WHERE id IN (SELECT id FROM "scratch")`,
      'CREATE VIEW "AView" AS SELECT id FROM "A"',
    ]);
    expect(plan.shadowDifferences).toEqual([expect.stringMatching(/^extra: view public.AView: v SELECT/)]);
  });

  it('a rename the inverse does not undo names the old and the new name', async () => {
    p.write({ '20260105000000_rename_seq': `ALTER SEQUENCE "A_id_seq" RENAME TO "A_seq";` });
    await p.apply('20260105000000_rename_seq');
    const plan = await p.plan('20260105000000_rename_seq');
    expect(plan.irreversible.map((i) => i.reason)).toEqual([
      expect.stringMatching(/Renaming sequence "A_id_seq" to "A_seq"/),
    ]);
    expect(plan.shadowDifferences).toEqual(
      expect.arrayContaining([expect.stringMatching(/^missing: sequence public.A_id_seq/)]),
    );
  });
});

describe('an ADD VALUE whose label rows now hold', () => {
  const p = scratchProject('enumlabel');
  beforeAll(async () => {
    await p.create();
    p.write({
      '20260101000000_init':
        `CREATE TYPE "Mood" AS ENUM ('OK', 'BAD');\nCREATE TABLE "Entry" ("id" SERIAL ` +
        `PRIMARY KEY, "mood" "Mood" NOT NULL DEFAULT 'OK');`,
      '20260102000000_add_meh': `ALTER TYPE "Mood" ADD VALUE 'MEH' AFTER 'OK';`,
    });
    await p.apply('20260101000000_init');
    await p.query(
      `INSERT INTO "Entry" (mood) SELECT CASE WHEN g % 2 = 0 THEN 'OK' ELSE 'BAD' ` +
        `END::"Mood" FROM generate_series(1, 6) g`,
    );
    await p.apply('20260102000000_add_meh');
  });
  afterAll(p.drop);

  it(
    'rebuilds the type without the label when no row holds it, and is blocked by the ' + 'data check when one does',
    async () => {
      const clean = await p.plan('20260102000000_add_meh');
      expect(clean.verifiedWithData).toBe(true);
      expect(clean.steps.map((s) => s.sql)).toContain(`CREATE TYPE "Mood" AS ENUM ('OK', 'BAD')`);
      await p.query(`UPDATE "Entry" SET mood = 'MEH' WHERE id = 4`);
      const held = await p.plan('20260102000000_add_meh');
      expect(held.verifiedWithData).toBe(false);
      expect(held.shadowDifferences).toEqual([
        expect.stringContaining(
          'inverse failed on the shadow database holding 6 sampled live row(s): invalid ' +
            'input value for enum "Mood": "MEH"',
        ),
      ]);
      await expect(p.execute(held)).rejects.toMatchObject({ code: 'conflict' });
      const [row] = await p.query<{ mood: string }>(`SELECT mood::text AS mood FROM "Entry" WHERE id = 4`);
      expect(row?.mood).toBe('MEH');
    },
  );
});
