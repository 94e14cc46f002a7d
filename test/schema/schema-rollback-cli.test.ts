/**
 * The break-glass command `rollback-bot schema-rollback`: plan only by
 * default (nothing changes), --execute with an approver runs the same
 * archive-first self-verifying rollback; exit 0 sound/succeeded, 1 refused,
 * blocked or failed, 2 usage. On a database whose TimeZone is Asia/Kolkata.
 */
import { runCli } from '../../src/cli';
import { silentLogger } from '../../src/logger';
import { migrate } from '../../src/store/migrate';
import { createDb } from '../../src/store/pool';
import { testDatabase } from '../support/database';
import { diffCatalogs, readCatalog } from '../../src/schema/rollback/catalog';
import { withClient } from '../support/database';
import { scratchProject } from './support/scratch-project';

const INIT = '20260101000000_init';
const ADD = '20260102000000_add_status';
const DROP = '20260103000000_drop_legacy';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['schema-rollback', ...argv], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('rollback-bot schema-rollback', () => {
  const p = scratchProject('cli', { timeZone: 'Asia/Kolkata' });
  const base = (): string[] => ['--database-url', p.url, '--migrations', p.dir];
  /** The bot's own database (DATABASE_URL), migrated: where the break-glass timeline entry goes. */
  const bot = testDatabase('break_glass_bot');

  beforeAll(async () => {
    await bot.create();
    const db = createDb(bot.url, silentLogger, 1);
    await migrate(db, silentLogger);
    await db.close();
    await p.create();
    p.write({
      [INIT]: `CREATE TABLE "Visit" ("id" SERIAL PRIMARY KEY, "at" TIMESTAMP(3) NOT NULL, "legacy" TEXT);`,
      [ADD]:
        `CREATE TYPE "VisitStatus" AS ENUM ('OPEN', 'DONE');\nALTER TABLE "Visit" ADD ` +
        `COLUMN "status" "VisitStatus" NOT NULL DEFAULT 'OPEN',\nALTER COLUMN "at" SET ` +
        `DATA TYPE TIMESTAMPTZ(3) USING "at" AT TIME ZONE 'UTC';`,
      [DROP]: `ALTER TABLE "Visit" DROP COLUMN "legacy";`,
    });
    await p.apply(INIT);
    await p.query(
      `INSERT INTO "Visit" ("at", legacy) SELECT timestamp '2026-02-01 23:45:00.5' + g ` +
        `* interval '13 hours', 'l' || g FROM generate_series(1, 30) g`,
    );
  });
  afterAll(async () => {
    await p.drop();
    await bot.drop();
  });

  it('answers usage errors with exit 2 and the usage line', async () => {
    expect(await cli([])).toMatchObject({ code: 2, err: expect.stringContaining('name the migration') });
    expect(await cli([ADD, '--migrations', p.dir])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--database-url'),
    });
    expect(await cli([ADD, ...base(), '--execute'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--approved-by'),
    });
    expect(await cli([ADD, ...base(), '--format', 'xml'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--format expects text or json'),
    });
    expect(await cli(['not a name', ...base()])).toMatchObject({ code: 2 });
  });

  it(
    'prints the data-checked plan and changes nothing; --execute rolls back and every ' +
      'value comes back by primary key',
    async () => {
      const schemaBefore = await withClient(p.url, readCatalog);
      const valuesBefore = await p.values('Visit');
      await p.apply(ADD);
      await p.query(`UPDATE "Visit" SET status = 'DONE' WHERE id % 3 = 0`);
      const after = await withClient(p.url, readCatalog);

      const planned = await cli([ADD, ...base(), '--format', 'json']);
      expect(planned.err).toBe('');
      expect(planned.code).toBe(0);
      const plan = JSON.parse(planned.out);
      expect(plan).toMatchObject({
        status: 'sound',
        verifiedWithData: true,
        blockers: [],
        archived: [],
        sampledRows: [{ table: { name: 'Visit' }, rows: 30 }],
      });
      expect(plan.steps.map((s: { sql: string }) => s.sql)).toEqual([
        `ALTER TABLE "public"."Visit" ALTER COLUMN "at" TYPE timestamp(3) without time ` +
          `zone USING "at" AT TIME ZONE 'UTC'`,
        `ALTER TABLE "public"."Visit" DROP COLUMN "status"`,
        `DROP TYPE "VisitStatus"`,
      ]);
      expect(diffCatalogs(after, await withClient(p.url, readCatalog))).toEqual([]);

      const text = await cli([ADD, ...base()]);
      expect(text.out).toMatch(/Shadow check with data \(Visit 30\): verified[\s\S]*Nothing was changed/);

      const valuesBeforeFull = await p.values('Visit');
      // The app database's disk fills while archiving: PostgreSQL rolls the transaction back, and the
      // answer says in plain words what was and was not done (issue 16 item 7).
      await p.query(`CREATE FUNCTION disk_is_full() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN
      RAISE EXCEPTION 'could not extend file "base/16384/16999": No space left on device' USING ERRCODE = '53100';
    END $$`);
      await p.query(
        `CREATE EVENT TRIGGER disk_is_full ON ddl_command_end WHEN TAG IN ('CREATE TABLE ` +
          `AS') EXECUTE FUNCTION disk_is_full()`,
      );
      const full = await cli([ADD, ...base(), '--execute', '--approved-by', 'Dana (CTO)']);
      await p.query('DROP EVENT TRIGGER disk_is_full');
      await p.query('DROP FUNCTION disk_is_full()');
      expect(full.code).toBe(1);
      expect(full.out).toMatch(/app database ran out of disk space[\s\S]*nothing was dropped, archived or marked/);
      expect(full.out).toMatch(/[Ff]ree space/);
      expect(full.out).not.toMatch(/could not extend file|53100/);
      expect(diffCatalogs(after, await withClient(p.url, readCatalog))).toEqual([]);
      expect(await p.values('Visit')).toEqual(valuesBeforeFull);

      const done = await cli([ADD, ...base(), '--execute', '--approved-by', 'Dana (CTO)', '--format', 'json'], {
        DATABASE_URL: bot.url,
      });
      expect(done.code).toBe(0);
      const result = JSON.parse(done.out);
      expect(result).toMatchObject({ status: 'rolled-back', approvedBy: 'Dana (CTO)', verifiedWithData: true });
      expect(result.archived.map((a: { rows: number }) => a.rows)).toEqual([30, 30]);
      expect(diffCatalogs(schemaBefore, await withClient(p.url, readCatalog))).toEqual([]);
      expect(await p.values('Visit')).toEqual(valuesBefore);
      const manifest = await p.query<{ incident_id: string }>(
        `SELECT DISTINCT incident_id FROM rollback_archive.manifest`,
      );
      expect(manifest).toEqual([{ incident_id: 'break-glass:Dana (CTO)' }]);

      // The bot's timeline holds who approved, which migration and the outcome.
      expect(result.timeline).toEqual({ recorded: true, entryId: expect.any(String) });
      const db = createDb(bot.url, silentLogger, 1);
      const entries = await db.query<{
        id: string;
        actor: string;
        kind: string;
        message: string;
        data: Record<string, unknown>;
      }>({ text: 'SELECT id::text, actor, kind, message, data FROM timeline' });
      await db.close();
      expect(entries).toEqual([
        {
          id: result.timeline.entryId,
          actor: 'Dana (CTO)',
          kind: 'schema_rollback_break_glass',
          message: `Break-glass schema rollback of ${ADD}, approved by Dana (CTO): rolled-back.`,
          data: {
            migration: ADD,
            approvedBy: 'Dana (CTO)',
            outcome: 'rolled-back',
            steps: 3,
            archived: result.archived.map((a: { archiveTable: string; rows: number }) => ({
              archiveTable: a.archiveTable,
              rows: a.rows,
            })),
          },
        },
      ]);
    },
  );

  it('exits 1 for a blocked plan and for a migration that is not applied, changing nothing', async () => {
    await p.apply(DROP);
    // The bot's database is down: the output says the attempt was not recorded, and the answer is unchanged.
    const blocked = await cli([DROP, ...base(), '--execute', '--approved-by', 'Dana', '--format', 'json'], {
      DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/bot',
    });
    expect(blocked.code).toBe(1);
    expect(JSON.parse(blocked.out).timeline).toEqual({
      recorded: false,
      reason: expect.stringMatching(/^the bot's database at DATABASE_URL is not reachable/),
    });
    expect(blocked.out).not.toContain('hunter2');
    const unset = await cli([DROP, ...base(), '--execute', '--approved-by', 'Dana']);
    expect(unset).toMatchObject({
      code: 1,
      out: expect.stringContaining("Not recorded on the bot's timeline: DATABASE_URL is not set"),
    });
    expect(JSON.parse(blocked.out)).toMatchObject({
      status: 'blocked',
      verifiedWithData: false,
      archived: [],
      blockers: [expect.stringMatching(/Not proven/)],
    });
    const [row] = await p.query<{ rolled_back_at: Date | null }>(
      `SELECT rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1`,
      [DROP],
    );
    expect(row?.rolled_back_at).toBeNull();
    const missing = await cli(['20990101000000_nope', ...base()]);
    expect(missing).toMatchObject({ code: 1, out: expect.stringMatching(/refused[\s\S]*not in _prisma_migrations/) });
  });
});
