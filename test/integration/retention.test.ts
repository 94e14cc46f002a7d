/**
 * The `retention` job on real PostgreSQL: processed Slack deliveries past 48
 * hours and cron slot claims past 7 days are deleted; newer ones stay, so a
 * Slack retry or a late replica's tick is still recognised.
 */
import { silentLogger } from '../../src/logger';
import { RETENTION, retentionJob } from '../../src/schedule/retention';
import { migrate } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { testDatabase } from '../support/database';

describe('retention job', () => {
  const database = testDatabase('retention');
  let db: Db;

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger, 2);
    await migrate(db, silentLogger);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it(
    'runs hourly and prunes deliveries older than 48 h and slot claims older than 7 ' + 'days, keeping newer ones',
    async () => {
      const job = retentionJob(db);
      expect(job).toMatchObject({ name: 'retention', cron: '17 * * * *' });
      expect(RETENTION).toEqual({ deliveriesHours: 48, slotsHours: 168 });
      await db.query({
        text: `INSERT INTO slack_deliveries (delivery_key, kind, received_at) VALUES
               ('old', 'event', now() - interval '49 hours'), ('recent', 'event', now() - interval '47 hours')`,
      });
      await db.query({
        text: `INSERT INTO schedule_slots (job, slot, claimed_by, claimed_at) VALUES
               ('detect:a', now() - interval '8 days', 'r1', now() - interval '8 days'), ('detect:a', now() - interval
                 '6 days', 'r1', now() - interval '6 days')`,
      });
      await job.run({ slot: new Date(), signal: new AbortController().signal, logger: silentLogger });
      expect(
        (await db.query<{ delivery_key: string }>({ text: 'SELECT delivery_key FROM slack_deliveries' })).map(
          (r) => r.delivery_key,
        ),
      ).toEqual(['recent']);
      expect(await db.query<{ n: number }>({ text: 'SELECT count(*)::int AS n FROM schedule_slots' })).toEqual([
        { n: 1 },
      ]);
    },
  );
});
