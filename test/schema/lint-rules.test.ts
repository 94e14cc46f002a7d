import { lintSql } from '../../src/schema/lint/lint-file';
import { ALL_RULES } from '../../src/schema/lint/rules';
import { loadParser } from '../../src/schema/sql/parse-sql';

beforeAll(loadParser);

function rulesOf(sql: string): string[] {
  return lintSql(sql, 'm.sql').report.findings.map((f) => `${f.severity}:${f.rule}`);
}

const CASES: [string, string, string][] = [
  // dangerous
  ['drop table', 'DROP TABLE "Note";', 'dangerous:drop-table'],
  ['drop column', 'ALTER TABLE "Note" DROP COLUMN "body";', 'dangerous:drop-column'],
  ['drop schema', 'DROP SCHEMA "legacy" CASCADE;', 'dangerous:drop-schema'],
  ['drop view', 'DROP VIEW "NoteView";', 'dangerous:drop-object'],
  ['truncate', 'TRUNCATE "Note";', 'dangerous:truncate'],
  ['rename table', 'ALTER TABLE "Note" RENAME TO "Notes";', 'dangerous:rename-table'],
  ['rename column', 'ALTER TABLE "Note" RENAME COLUMN "body" TO "text";', 'dangerous:rename-column'],
  ['alter type', 'ALTER TABLE "Note" ALTER COLUMN "body" SET DATA TYPE VARCHAR(10);', 'dangerous:alter-column-type'],
  ['set not null', 'ALTER TABLE "Note" ALTER COLUMN "body" SET NOT NULL;', 'dangerous:set-not-null'],
  [
    'add not null no default',
    'ALTER TABLE "Note" ADD COLUMN "n" INTEGER NOT NULL;',
    'dangerous:add-column-not-null-no-default',
  ],
  ['drop not null', 'ALTER TABLE "Note" ALTER COLUMN "body" DROP NOT NULL;', 'dangerous:drop-not-null'],
  ['drop default', 'ALTER TABLE "Note" ALTER COLUMN "status" DROP DEFAULT;', 'dangerous:drop-default'],
  ['drop constraint', 'ALTER TABLE "Note" DROP CONSTRAINT "Note_userId_fkey";', 'dangerous:drop-constraint'],
  ['rename enum value', `ALTER TYPE "Role" RENAME VALUE 'A' TO 'B';`, 'dangerous:rename-enum-value'],
  ['enum removal, step 1', 'ALTER TYPE "Role" RENAME TO "Role_old";', 'dangerous:rename-type'],
  ['enum removal, step 3', 'DROP TYPE "Role_old";', 'dangerous:drop-type'],
  ['delete', 'DELETE FROM "Note" WHERE "id" > 3;', 'dangerous:delete-rows'],
  // warning
  ['blocking index', 'CREATE INDEX "Note_body_idx" ON "Note"("body");', 'warning:create-index-blocking'],
  ['blocking drop index', 'DROP INDEX "Note_body_idx";', 'warning:drop-index-blocking'],
  [
    'fk without not valid',
    'ALTER TABLE "Note" ADD CONSTRAINT "f" FOREIGN KEY ("userId") REFERENCES "User"("id");',
    'warning:constraint-without-not-valid',
  ],
  [
    'check without not valid',
    'ALTER TABLE "Note" ADD CONSTRAINT "c" CHECK ("id" > 0);',
    'warning:constraint-without-not-valid',
  ],
  ['unique in place', 'ALTER TABLE "Note" ADD CONSTRAINT "u" UNIQUE ("body");', 'warning:unique-in-place'],
  ['primary key in place', 'ALTER TABLE "Note" ADD PRIMARY KEY ("id");', 'warning:unique-in-place'],
  [
    'volatile default',
    'ALTER TABLE "Note" ADD COLUMN "uid" UUID DEFAULT gen_random_uuid();',
    'warning:volatile-default',
  ],
  ['serial column', 'ALTER TABLE "Note" ADD COLUMN "seq" SERIAL;', 'warning:volatile-default'],
  ['json column', 'ALTER TABLE "Note" ADD COLUMN "meta" JSON;', 'warning:json-type'],
  ['json in new table', 'CREATE TABLE "T" ("meta" json);', 'warning:json-type'],
  ['update', `UPDATE "Note" SET "status" = 'x';`, 'warning:update-in-migration'],
  ['insert from a query', `INSERT INTO "Archive" ("id") SELECT "id" FROM "Note";`, 'warning:insert-from-select'],
  ['unknown alter', 'ALTER TABLE "Note" SET UNLOGGED;', 'warning:unreviewed-alter-table'],
  ['unknown statement', 'VACUUM FULL "Note";', 'warning:unreviewed-statement'],
  // safe
  ['create table', 'CREATE TABLE "T" ("id" SERIAL PRIMARY KEY);', 'safe:create-table'],
  ['nullable column', 'ALTER TABLE "Note" ADD COLUMN "n" TEXT;', 'safe:add-column-nullable'],
  ['constant default', `ALTER TABLE "Note" ADD COLUMN "n" TEXT NOT NULL DEFAULT 'x';`, 'safe:add-column-nullable'],
  [
    'stable default now()',
    'ALTER TABLE "Note" ADD COLUMN "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;',
    'safe:add-column-nullable',
  ],
  ['concurrent index', 'CREATE INDEX CONCURRENTLY "i" ON "Note"("body");', 'safe:create-index'],
  [
    'not valid fk',
    'ALTER TABLE "Note" ADD CONSTRAINT "f" FOREIGN KEY ("userId") REFERENCES "User"("id") NOT VALID;',
    'safe:add-constraint-not-valid',
  ],
  ['validate', 'ALTER TABLE "Note" VALIDATE CONSTRAINT "f";', 'safe:validate-constraint'],
  [
    'unique using index',
    'ALTER TABLE "Note" ADD CONSTRAINT "u" UNIQUE USING INDEX "i";',
    'safe:add-constraint-using-index',
  ],
  ['set default', `ALTER TABLE "Note" ALTER COLUMN "status" SET DEFAULT 'x';`, 'safe:set-default'],
  ['create enum', `CREATE TYPE "Mood" AS ENUM ('A');`, 'safe:create-type'],
  ['add enum value', `ALTER TYPE "Role" ADD VALUE 'X';`, 'safe:add-enum-value'],
  ['insert', `INSERT INTO "Role" VALUES ('x');`, 'safe:insert-rows'],
  ['rename index', 'ALTER INDEX "a" RENAME TO "b";', 'safe:rename-index'],
  [
    'foreign key dropped and re-added (Prisma changing ON DELETE)',
    'ALTER TABLE "Note" DROP CONSTRAINT "Note_userId_fkey";\nALTER TABLE "Note" ADD ' +
      'CONSTRAINT "Note_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON ' +
      'DELETE CASCADE;',
    'safe:replace-foreign-key',
  ],
  ['comment', `COMMENT ON TABLE "Note" IS 'x';`, 'safe:no-table-change'],
  // issue 14: lint defects
  ['update set null is data loss', `UPDATE "Note" SET "body" = NULL WHERE "id" > 3;`, 'dangerous:update-set-null'],
  [
    'DROP INDEX of a unique key is the same class as DROP CONSTRAINT',
    'DROP INDEX "User_email_key";',
    'dangerous:drop-constraint',
  ],
  [
    'identifier over 63 bytes',
    `CREATE INDEX CONCURRENTLY "${'a'.repeat(70)}" ON "Note"("body");`,
    'warning:identifier-too-long',
  ],
  ['DO block with dynamic SQL', `DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'x'; END $$;`, 'warning:do-block-unanalysed'],
  [
    'DO block: its statements are classified',
    `DO $$ BEGIN IF true THEN ALTER TABLE "Note" DROP COLUMN "body"; END IF; END $$;`,
    'dangerous:drop-column',
  ],
  ['view dropped and created again', 'DROP VIEW "V";\nCREATE VIEW "V" AS SELECT 1;', 'safe:replaced-in-file'],
  [
    'trigger dropped and created again',
    `DROP TRIGGER "t" ON "Note";\nCREATE TRIGGER "t" BEFORE UPDATE ON "Note" FOR EACH ROW EXECUTE FUNCTION f();`,
    'safe:replaced-in-file',
  ],
  [
    'Prisma enum change drops the type it renamed aside',
    `ALTER TYPE "Role" RENAME TO "Role_old";\nCREATE TYPE "Role" AS ENUM ` +
      `('A');\nALTER TABLE "User" ALTER COLUMN "role" TYPE "Role" USING ` +
      `("role"::text::"Role");\nDROP TYPE "Role_old";`,
    'warning:drop-replaced-type',
  ],
];

describe('lint defects of issue 14', () => {
  it('a DO block is never safe unseen, and one that only checks the catalog is still a warning that names why', () => {
    expect(rulesOf(`DO $$ BEGIN RAISE NOTICE 'x'; END $$;`)).toEqual(['warning:do-block-unanalysed']);
    expect(rulesOf(`DO LANGUAGE plperl $$ 1; $$;`)).toEqual(['warning:do-block-unanalysed']);
  });

  it('DROP DEFAULT set again later in the file is not dangerous', () => {
    expect(
      rulesOf(
        `ALTER TABLE "Note" ALTER COLUMN "status" DROP DEFAULT;\nALTER TABLE "Note" ALTER ` +
          `COLUMN "status" SET DEFAULT 'y';`,
      ),
    ).toEqual(['safe:set-default', 'safe:set-default']);
  });

  it('temporary tables are not schema: no findings for them', () => {
    expect(
      rulesOf(
        'CREATE TEMP TABLE "scratch" AS SELECT "id" FROM "Note";\nCREATE INDEX "s_idx" ON ' +
          '"scratch"("id");\nDROP TABLE "scratch";',
      ),
    ).toEqual([]);
  });

  it('DROP INDEX and DROP CONSTRAINT of the same unique key get the same class', () => {
    expect(rulesOf('DROP INDEX "User_email_key";')).toEqual(
      rulesOf('ALTER TABLE "User" DROP CONSTRAINT "User_email_key";'),
    );
  });

  it('a file that does not parse is a report with verdict error, not an exception', () => {
    const { report } = lintSql('CREATE TABLE (;', 'bad.sql');
    expect(report).toMatchObject({
      verdict: 'error',
      findings: [],
      error: { line: 1, message: expect.stringMatching(/^bad\.sql:1:\d+: syntax error/) },
    });
  });
});

describe('lint rules', () => {
  it.each(CASES)('%s', (_name, sql, expected) => {
    expect(rulesOf(sql)).toContain(expected);
  });

  it('has a case for every rule', () => {
    const covered = new Set(CASES.map(([, , e]) => e.split(':')[1]));
    const extra = ['change-new-table'];
    expect(ALL_RULES.map((r) => r.id).filter((id) => !covered.has(id) && !extra.includes(id))).toEqual([]);
  });

  it('every rule says why and how to do it in two phases or safely', () => {
    for (const rule of ALL_RULES) {
      expect(rule.why.length).toBeGreaterThan(20);
      expect(rule.fix.length).toBeGreaterThan(5);
    }
  });

  it('treats work on a table created earlier in the same file as safe', () => {
    const sql = `CREATE TABLE "T" ("id" SERIAL NOT NULL, CONSTRAINT "T_pkey" PRIMARY KEY ("id"));
      ALTER TABLE "T" ADD COLUMN "n" INTEGER NOT NULL;
      ALTER TABLE "T" ADD CONSTRAINT "c" CHECK ("n" > 0);
      CREATE INDEX "T_n_idx" ON "T"("n");
      ALTER TABLE "T" DROP COLUMN "n";`;
    const { report } = lintSql(sql, 'm.sql');
    expect(report.verdict).toBe('safe');
    expect(report.findings.map((f) => f.rule)).toEqual([
      'create-table',
      'change-new-table',
      'change-new-table',
      'create-index',
      'change-new-table',
    ]);
  });

  it('keeps a dropped constraint dangerous when the file re-adds something else under its name, or another key', () => {
    const pkey = 'ALTER TABLE "C" DROP CONSTRAINT "C_pkey",\nADD CONSTRAINT "C_pkey" PRIMARY KEY ("id");';
    expect(rulesOf(pkey)).toEqual(['dangerous:drop-constraint', 'warning:unique-in-place']);
    const other =
      'ALTER TABLE "Note" DROP CONSTRAINT "Note_userId_fkey";\nALTER TABLE "Other" ADD ' +
      'CONSTRAINT "Note_userId_fkey" FOREIGN KEY ("a") REFERENCES "User"("id");';
    expect(rulesOf(other)[0]).toBe('dangerous:drop-constraint');
  });

  it('starts each statement at its first token, after line, block and nested block comments', () => {
    const sql =
      '/* Warnings:\n  - /* nested */ still a comment\n*/\n-- AlterTable\nALTER TABLE ' +
      '"é" DROP COLUMN "b";\n\n  -- next\n  /* x */ DROP TABLE "Old";';
    const { report } = lintSql(sql, 'm.sql');
    expect(report.findings.map((f) => [f.line, f.statement])).toEqual([
      [5, 'ALTER TABLE "é" DROP COLUMN "b"'],
      [8, 'DROP TABLE "Old"'],
    ]);
  });

  it('does not treat a table of the same name in another file as new', () => {
    lintSql('CREATE TABLE "T" ("id" INT);', 'a.sql');
    expect(lintSql('CREATE INDEX "i" ON "T"("id");', 'b.sql').report.verdict).toBe('warning');
  });

  it('gives each finding its line, statement, message and fix, and the file the worst verdict', () => {
    const { report } = lintSql(
      '-- CreateIndex\nCREATE INDEX "i" ON "Note"("body");\n\n-- DropTable\nDROP TABLE "Old";\n',
      'm.sql',
    );
    expect(report.verdict).toBe('dangerous');
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: 'create-index-blocking',
        severity: 'warning',
        line: 2,
        statement: 'CREATE INDEX "i" ON "Note"("body")',
      }),
      expect.objectContaining({ rule: 'drop-table', severity: 'dangerous', line: 5, statement: 'DROP TABLE "Old"' }),
    ]);
    expect(report.findings[1]?.fix).toMatch(/Two phases/);
  });
});
