/**
 * The runbook's data-loss figure (archived values not restored) on a known timeline, through the real store and the
 * real bot: it goes to 0 at once when restore-archive records the restore, or when /rollback stats reads the app
 * database's manifest (no scheduled job). The other figures: stats-figures.test.ts.
 */
import { Client } from 'pg';
import { figure } from '../../src/rollback/metrics/rollback-metrics';
import { measureRollbacks } from '../../src/rollback/metrics/measure';
import type { IncidentStore } from '../../src/rollback/ports/incident-store';
import { ensureArchiveSchema } from '../../src/schema/rollback/archive';
import { recordRestored } from '../../src/post-rollback/archive-restores';
import type { Db } from '../../src/store/pool';
import type { TestBot } from '../support/bot';
import { ARCHIVE, SERVICE, useStatsWorld } from './stats-support';

describe('rollback metrics against the runbook targets: data loss', () => {
  const world = useStatsWorld();
  const { appDatabase, clock } = world;
  let bot: TestBot;
  let db: Db;
  let store: IncidentStore;
  beforeAll(() => {
    ({ bot, db, store } = world);
  });

  const dataLoss = async () =>
    figure(await measureRollbacks(store, { service: SERVICE, at: clock.now() }), 'data_loss');
  const statsDataLoss = async (): Promise<string> => {
    const reply = (await bot.sender.slashCommand({ text: `stats ${SERVICE}`, userId: 'U0NOBODY1' })).json() as {
      blocks: unknown[];
    };
    return (
      /Data loss \(archived values not restored\)\*: worst ([^,(]+)[,(]/
        .exec(JSON.stringify(reply.blocks))?.[1]
        ?.trim() ?? 'no line'
    );
  };

  it("counts a restore-archive at once when it can record it in the bot's store (no scheduled job)", async () => {
    expect((await dataLoss()).value).toBe(42);
    expect(
      await recordRestored(
        db,
        [
          { archiveTable: `rollback_archive.${ARCHIVE}`, restoredRows: 42 },
          { archiveTable: 'rollback_archive.not_ours', restoredRows: 3 },
        ],
        clock.now(),
      ),
    ).toBe(1);
    expect(await dataLoss()).toMatchObject({ value: 0, pass: true, missedBy: [] });
    expect(await statsDataLoss()).toBe('0 rows');
    await db.query({ text: 'DELETE FROM archive_facts', values: [] });
    expect((await dataLoss()).value).toBe(42);
  });

  it(
    "reads the app database's manifest when /rollback stats is asked, so a restore " +
      'the store never heard of counts at once',
    async () => {
      const app = new Client({ connectionString: appDatabase.url });
      await app.connect();
      try {
        await ensureArchiveSchema(app);
        await app.query(
          `INSERT INTO rollback_archive.manifest (archive_table, migration_name, incident_id, kind, source_schema,
           source_table, source_column, key_columns, row_count, checksum, restored_at)
         VALUES ($1, '20260117_add_ai_features', 'INC-B', 'column', 'public', 'users', 'phone', ARRAY['id'], 42, '42:1',
           NULL)`,
          [ARCHIVE],
        );
        expect(await statsDataLoss()).toBe('42 rows');
        // restore-archive ran where the bot's store was out of reach: only the manifest knows.
        await app.query('UPDATE rollback_archive.manifest SET restored_at = now() WHERE archive_table = $1', [ARCHIVE]);
        expect(await statsDataLoss()).toBe('0 rows');
      } finally {
        await app.end();
      }
      expect(await dataLoss()).toMatchObject({ value: 0, pass: true, missedBy: [] });
    },
  );
});
