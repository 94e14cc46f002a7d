import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/lint-migrations';
import { testDatabase } from '../support/database';
import { withClient } from '../support/database';

interface JsonFinding {
  rule: string;
  severity: string;
  line: number;
  message: string;
  live?: { rows?: number; nonNullValues?: number; violations?: number; complies?: boolean; error?: string };
}

async function lintLive(sql: string, url: string): Promise<{ code: number; findings: JsonFinding[]; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lint-live-'));
  const file = join(dir, 'migration.sql');
  writeFileSync(file, sql);
  let out = '';
  let err = '';
  const code = await run([file, '--format', 'json', '--database-url', url], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    env: {},
  });
  const parsed = out ? (JSON.parse(out) as { files: { findings: JsonFinding[] }[] }) : { files: [] };
  return { code, findings: parsed.files[0]?.findings ?? [], err };
}

describe('lint-migrations --database-url: live checks', () => {
  const db = testDatabase('schema_live');

  beforeAll(async () => {
    await db.create();
    await withClient(db.url, async (c) => {
      await c.query(`CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT, "name" TEXT, "age" INTEGER)`);
      await c.query(`CREATE TABLE "Note" ("id" SERIAL PRIMARY KEY, "userId" INTEGER, "body" TEXT, "legacy" TEXT)`);
      await c.query(`CREATE TABLE "Old" ("id" SERIAL PRIMARY KEY)`);
      // 10 users: emails unique except two duplicates, 3 without a name, ages 0..9.
      await c.query(
        `INSERT INTO "User" ("email", "name", "age") SELECT CASE WHEN g <= 2 THEN 'dup@x' ` +
          `ELSE 'u' || g || '@x' END, CASE WHEN g <= 3 THEN NULL ELSE 'n' || g END, g - 1 ` +
          `FROM generate_series(1, 10) g`,
      );
      // 25 notes: 20 point at existing users, 5 at user 99 (orphans); legacy set on 7.
      await c.query(
        `INSERT INTO "Note" ("userId", "body", "legacy") SELECT CASE WHEN g <= 20 THEN 1 ` +
          `+ g % 10 ELSE 99 END, 'b' || g, CASE WHEN g <= 7 THEN 'l' ELSE NULL END FROM ` +
          `generate_series(1, 25) g`,
      );
      await c.query(`INSERT INTO "Old" SELECT FROM generate_series(1, 4)`);
    });
  });
  afterAll(db.drop);

  it('counts the rows and values behind each drop', async () => {
    const { code, findings } = await lintLive(
      'DROP TABLE "Old";\nALTER TABLE "Note" DROP COLUMN "legacy";\nTRUNCATE "User";\n',
      db.url,
    );
    expect(code).toBe(1);
    expect(findings.map((f) => [f.rule, f.live])).toEqual([
      ['drop-table', { rows: 4 }],
      ['drop-column', { rows: 25, nonNullValues: 7 }],
      ['truncate', { rows: 10 }],
    ]);
    expect(findings[1]?.message).toMatch(/Live: 7 non-null values in 25 rows of "Note"\."legacy"\./);
  });

  it('says whether the data already complies with NOT NULL', async () => {
    const { findings } = await lintLive(
      'ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;\nALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;\n',
      db.url,
    );
    expect(findings.map((f) => f.live)).toEqual([
      { rows: 10, violations: 3, complies: false },
      { rows: 10, violations: 0, complies: true },
    ]);
    expect(findings[0]?.message).toMatch(/3 rows break it/);
    expect(findings[1]?.message).toMatch(/already complies/);
  });

  it('says whether the data complies with an added unique constraint or unique index', async () => {
    const { findings } = await lintLive(
      [
        'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");',
        'CREATE UNIQUE INDEX "User_name_key" ON "User"("name");',
        'CREATE UNIQUE INDEX CONCURRENTLY "User_email_age_key" ON "User"("email", "age");',
      ].join('\n'),
      db.url,
    );
    expect(findings.map((f) => [f.rule, f.live?.violations, f.live?.complies])).toEqual([
      ['unique-in-place', 1, false],
      ['create-index-blocking', 0, true],
      ['create-index', 0, true],
    ]);
  });

  it('says whether the data complies with an added foreign key and CHECK', async () => {
    const { findings } = await lintLive(
      [
        'ALTER TABLE "Note" ADD CONSTRAINT "Note_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id");',
        'ALTER TABLE "User" ADD CONSTRAINT "age_positive" CHECK ("age" > 0);',
        'ALTER TABLE "User" ADD CONSTRAINT "age_small" CHECK ("age" < 100);',
      ].join('\n'),
      db.url,
    );
    expect(findings.map((f) => [f.rule, f.live?.violations, f.live?.complies])).toEqual([
      ['constraint-without-not-valid', 5, false],
      ['constraint-without-not-valid', 1, false],
      ['constraint-without-not-valid', 0, true],
    ]);
  });

  it('asks about a renamed column under its live name, and nothing about a column the file adds', async () => {
    const { findings, err } = await lintLive(
      [
        'ALTER TABLE "Note" RENAME COLUMN "legacy" TO "legacy_old";',
        'ALTER TABLE "Note" ADD COLUMN "kind" TEXT;',
        'UPDATE "Note" SET "kind" = "legacy_old";',
        'ALTER TABLE "Note" ALTER COLUMN "kind" SET NOT NULL;',
        'ALTER TABLE "Note" DROP COLUMN "legacy_old";',
      ].join('\n'),
      db.url,
    );
    expect(err).toBe('');
    const byRule = Object.fromEntries(findings.map((f) => [f.rule, f]));
    expect(byRule['drop-column']?.live).toEqual({ rows: 25, nonNullValues: 7 });
    expect(byRule['set-not-null']?.live).toBeUndefined();
    expect(findings.every((f) => f.live?.error === undefined)).toBe(true);
  });

  it('reports a failing check in the finding instead of failing the run, and runs nothing', async () => {
    const { code, findings } = await lintLive('ALTER TABLE "Missing" DROP COLUMN "x";\n', db.url);
    expect(code).toBe(1);
    expect(findings[0]?.live?.error).toMatch(/relation "public.Missing" does not exist/);
    await withClient(db.url, async (c) => {
      expect((await c.query(`SELECT count(*)::int AS n FROM "Old"`)).rows[0].n).toBe(4);
      expect((await c.query(`SELECT count(*)::int AS n FROM "User" WHERE "name" IS NULL`)).rows[0].n).toBe(3);
    });
  });

  it('exits 2 when the database cannot be reached, with the password scrubbed', async () => {
    const { code, err } = await lintLive('DROP TABLE "Old";\n', 'postgres://app:s3cret@127.0.0.1:1/app');
    expect(code).toBe(2);
    expect(err).not.toContain('s3cret');
  });

  it('accounts for earlier statements of the file and counts what a statement affects (issue 14)', async () => {
    // A DELETE of duplicates before the unique index: the index is not "would fail"; the DELETE counts the rows its
    // WHERE matches.
    const dedupe = await lintLive(
      `DELETE FROM "User" WHERE "id" = 2;\nCREATE UNIQUE INDEX "User_email_key" ON ` +
        `"User"("email");\nALTER TABLE "Note" ADD COLUMN "tag" TEXT;\nCREATE UNIQUE INDEX ` +
        `"Note_tag_key" ON "Note"("tag");\n`,
      db.url,
    );
    expect(dedupe.err).toBe('');
    expect(dedupe.findings.map((f) => [f.rule, f.live])).toEqual([
      ['delete-rows', { rows: 1 }],
      ['create-index-blocking', undefined],
      ['add-column-nullable', undefined],
      ['create-index-blocking', undefined],
    ]);
    expect(dedupe.findings[1]?.message).toMatch(
      /an earlier statement of the file changes the rows of "User": no live figure/,
    );
    expect(dedupe.findings[3]?.message).toMatch(/the file adds "tag" itself: no live figure/);
    expect(dedupe.findings.some((f) => /does not exist/.test(f.message))).toBe(false);
    // Duplicate rows, not groups: three rows share an email, two of them must go.
    await withClient(db.url, (c) => c.query(`UPDATE "User" SET email = 'dup@x' WHERE id = 3`));
    const unique = await lintLive('CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n', db.url);
    expect(unique.findings[0]?.live).toMatchObject({ violations: 2, complies: false });
    await withClient(db.url, (c) => c.query(`UPDATE "User" SET email = 'u3@x' WHERE id = 3`));
  });
});
