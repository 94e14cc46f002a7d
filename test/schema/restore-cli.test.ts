import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { run } from '../../src/cli/restore-archive';
import { archiveTarget, ensureArchiveSchema } from '../../src/schema/rollback/archive';
import { silentLogger } from '../../src/logger';
import { createIncidentStore } from '../../src/store/incident-store';
import { migrate } from '../../src/store/migrate';
import { createDb } from '../../src/store/pool';
import { upsertService } from '../../src/store/queries/services';
import { testDatabase } from '../support/database';
import { exampleService, exampleServiceRaw, servicesYaml } from '../support/services';
import { withClient } from '../support/database';

const MIGRATION = '20260117000000_add_ai_features';

async function restore(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env });
  return { code, out, err };
}

describe('restore-archive CLI: --database-url or --service', () => {
  const db = testDatabase('schema_restore_cli');
  const dir = mkdtempSync(join(tmpdir(), 'restore-cli-'));
  const config = join(dir, 'services.yaml');
  const envName = 'CLINIC_APP_DB_URL';

  beforeAll(async () => {
    await db.create();
    writeFileSync(
      config,
      servicesYaml([
        exampleServiceRaw({ name: 'clinic', database: { urlEnv: envName, migrationsDir: 'prisma/migrations' } }),
      ]),
    );
    await withClient(db.url, async (c) => {
      await c.query(`CREATE TABLE "Note" ("id" SERIAL PRIMARY KEY, "aiSummary" TEXT)`);
      await c.query(
        `INSERT INTO "Note" ("aiSummary") SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE 's' ` +
          `|| g END FROM generate_series(1, 30) g`,
      );
    });
  });
  afterAll(db.drop);

  async function archiveAndDrop(incidentId: string): Promise<string> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await ensureArchiveSchema(client);
      const item = await archiveTarget(
        client,
        { kind: 'column', table: { schema: 'public', name: 'Note' }, column: 'aiSummary' },
        incidentId,
        { migrationName: MIGRATION, incidentId },
      );
      await client.query('ALTER TABLE "Note" DROP COLUMN "aiSummary"');
      await client.query('COMMIT');
      await client.query('ALTER TABLE "Note" ADD COLUMN "aiSummary" TEXT');
      return item.archiveTable;
    } finally {
      await client.end();
    }
  }

  const values = (): Promise<unknown[]> =>
    withClient(db.url, async (c) => (await c.query(`SELECT id, "aiSummary" FROM "Note" ORDER BY id`)).rows);

  it('restores through --service, reading the URL from the env var the services file names', async () => {
    const before = await values();
    const archive = await archiveAndDrop('inc-1');
    expect((await values()).every((r) => (r as { aiSummary: unknown }).aiSummary === null)).toBe(true);
    const result = await restore([MIGRATION, '--service', 'clinic'], { ROLLBACK_CONFIG: config, [envName]: db.url });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `restored 20 rows from ${archive}\nDATABASE_URL is not set: the bot reads the ` +
        `archive manifest when its metrics are next asked for (/rollback stats) or at its ` +
        `next sync.\n`,
    );
    expect(await values()).toEqual(before);
  });

  it('restores through --database-url, by archive table name', async () => {
    const before = await values();
    const archive = await archiveAndDrop('inc-2');
    const result = await restore([archive, `--database-url=${db.url}`], {});
    expect(result.code).toBe(0);
    expect(await values()).toEqual(before);
    expect((await restore([archive, '--database-url', db.url], {})).code).toBe(1);
  });

  it(
    "records the restore in the bot's store at once, so data loss stops counting it " + 'without a scheduled job',
    async () => {
      const store = testDatabase('schema_restore_cli_bot');
      await store.create();
      const pool = createDb(store.url, silentLogger, 2);
      try {
        await migrate(pool, silentLogger);
        await pool.query(upsertService(exampleService({ name: 'clinic' })));
        const bot = createIncidentStore(pool);
        const archive = await archiveAndDrop('inc-3');
        const { incident } = await bot.openIncident(
          {
            id: 'INC-3',
            service: 'clinic',
            issue: 'AI migration',
            trigger: 't',
            openedBy: 'U0DBADMIN',
            openedAt: new Date(),
            channelId: 'C0PRODALRT',
            data: { request: { kind: 'schema' }, requestedBy: 'U0DBADMIN', owner: 'U0DBADMIN' },
          },
          [{ position: 1, kind: 'schema', state: 'succeeded', input: {} }],
        );
        const [step] = await bot.steps(incident.id);
        await bot.moveStep(step?.id ?? '', 'succeeded', 'succeeded', {
          output: { archived: [{ archiveTable: archive, rows: 20 }] },
        });
        await bot.moveIncident(incident.id, 'open', 'resolved', { restoredAt: new Date(), closedAt: new Date() });
        const lost = async () => (await bot.metricsInput(incident.id))?.archives;
        expect(await lost()).toEqual([{ archiveTable: archive, rows: 20, restored: false }]);

        const result = await restore([MIGRATION, '--service', 'clinic'], {
          ROLLBACK_CONFIG: config,
          [envName]: db.url,
          DATABASE_URL: store.url,
        });
        expect(result.code).toBe(0);
        expect(result.out).toContain("recorded in the bot's store: data loss no longer counts this archive.");
        expect(await lost()).toEqual([{ archiveTable: archive, rows: 20, restored: true }]);
      } finally {
        await pool.close();
        await store.drop();
      }
    },
  );

  it('refuses with exit 2 and a clear message when the database cannot be named', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [[MIGRATION], { APP_DATABASE_URL: db.url }, /--database-url URL, or --service NAME/],
      [
        [MIGRATION, '--service', 'clinic'],
        { ROLLBACK_CONFIG: config },
        /CLINIC_APP_DB_URL \(database\.urlEnv of "clinic"\) is not set/,
      ],
      [[MIGRATION, '--service', 'nope'], { ROLLBACK_CONFIG: config, [envName]: db.url }, /Unknown service "nope"/],
      [
        [MIGRATION, '--service', 'clinic'],
        { ROLLBACK_CONFIG: join(dir, 'missing.yaml'), [envName]: db.url },
        /Cannot read the services file/,
      ],
      [[MIGRATION, '--service', 'clinic', '--database-url', db.url], {}, /not both/],
      [[MIGRATION, '--bogus'], {}, /unknown option --bogus/],
    ];
    for (const [argv, env, message] of cases) {
      const result = await restore(argv, env);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
    }
  });

  it('reads ./rollback.config.yaml when ROLLBACK_CONFIG is not set', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      writeFileSync(
        join(dir, 'rollback.config.yaml'),
        servicesYaml([exampleServiceRaw({ name: 'default-file', database: { urlEnv: 'DEFAULT_FILE_DB' } })]),
      );
      const result = await restore(['20990101000000_none', '--service', 'default-file'], { DEFAULT_FILE_DB: db.url });
      expect(result.err).toMatch(/No unrestored archive matches "20990101000000_none"/);
      expect(result.code).toBe(1);
    } finally {
      process.chdir(cwd);
    }
  });
});
