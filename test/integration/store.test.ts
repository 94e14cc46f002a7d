import { silentLogger } from '../../src/logger';
import { migrate, readMigrations } from '../../src/store/migrate';
import { type Db, createDb } from '../../src/store/pool';
import { claimDelivery } from '../../src/store/queries/deliveries';
import { upsertService } from '../../src/store/queries/services';
import { appendTimeline, listTimeline } from '../../src/store/queries/timeline';
import { testDatabase } from '../support/database';
import { exampleService } from '../support/services';

describe('store on a real PostgreSQL', () => {
  const database = testDatabase('store');
  let db: Db;

  beforeAll(async () => {
    await database.create();
    db = createDb(database.url, silentLogger);
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it('applies every migration once, even when two replicas start together', async () => {
    const other = createDb(database.url, silentLogger);
    const [first, second] = await Promise.all([migrate(db, silentLogger), migrate(other, silentLogger)]);
    await other.close();
    expect([...first, ...second].sort()).toEqual(readMigrations().map((m) => m.name));
    expect(await migrate(db, silentLogger)).toEqual([]);
    const tables = await db.query<{ table_name: string }>({
      text: "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    });
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'services',
        'deployments',
        'incidents',
        'steps',
        'approvals',
        'timeline',
        'slack_deliveries',
      ]),
    );
  });

  it('keeps the timeline append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await db.query(upsertService(exampleService()));
    const [row] = await db.query<{ id: string }>(
      appendTimeline({ service: 'dr-amal-clinical-os', actor: 'U0DEVOPS1', kind: 'note', message: 'hello' }),
    );
    await expect(
      db.query({ text: "UPDATE timeline SET message = 'changed' WHERE id = $1", values: [row?.id] }),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.query({ text: 'DELETE FROM timeline WHERE id = $1', values: [row?.id] })).rejects.toThrow(
      /append-only: DELETE/,
    );
    await expect(db.query({ text: 'TRUNCATE timeline' })).rejects.toThrow(/append-only: TRUNCATE/);
    const [kept] = await db.query<{ message: string }>({
      text: 'SELECT message FROM timeline WHERE id = $1',
      values: [row?.id],
    });
    expect(kept?.message).toBe('hello');
  });

  it('allows one open incident per service', async () => {
    const open = (id: string) =>
      db.query({
        text: "INSERT INTO incidents (id, service, issue, trigger) VALUES ($1, 'dr-amal-clinical-os', 'x', 'y')",
        values: [id],
      });
    await open('INC-1');
    await expect(open('INC-2')).rejects.toThrow(/incidents_one_open_per_service/);
    await db.query({ text: "UPDATE incidents SET state = 'resolved' WHERE id = 'INC-1'" });
    await open('INC-2');
    expect((await db.query(listTimeline('INC-2'))).length).toBe(0);
  });

  it('claims a Slack delivery once', async () => {
    const claims = await Promise.all([1, 2, 3].map(() => db.query(claimDelivery('Ev123', 'event'))));
    expect(claims.filter((rows) => rows.length === 1)).toHaveLength(1);
  });

  it('turns a lost server into a retryable "unavailable" error', async () => {
    const gone = createDb('postgres://postgres@127.0.0.1:1/none', silentLogger);
    await expect(gone.query({ text: 'SELECT 1' })).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(await gone.ping()).toBe(false);
    await gone.close();
  });
});
