import { Client } from 'pg';
import { archiveTarget, ensureArchiveSchema } from '../../src/schema/rollback/archive';
import { HASH_FUNCTION_SQL, fingerprint, rowHashSql } from '../../src/schema/rollback/fingerprint';
import { quoteIdent } from '../../src/schema/sql/ast';
import { testDatabase, withClient } from '../support/database';

const MIGRATION = '20260117000000_add_ai_features';

/** The manifest's checksum, recomputed from the archive table alone with the formula fingerprint.ts documents. */
async function checksumOfArchive(client: Client, archiveTable: string): Promise<string> {
  const [schema = '', name = ''] = archiveTable.split('.');
  const table = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const columns = await client.query<{ name: string; hashFunction: string | null }>(
    `SELECT a.attname AS name, ${HASH_FUNCTION_SQL} AS "hashFunction" FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  const rowHash = rowHashSql(
    columns.rows.map((c) => ({ expr: `t.${quoteIdent(c.name)}`, hashFunction: c.hashFunction })),
  );
  const fp = await fingerprint(client, `${table} AS t`, rowHash, '');
  return `${fp.n}:${fp.sum}`;
}

describe('archive checksum: count and order-independent sum of per-value typed hashes', () => {
  const db = testDatabase('schema_archive_checksum');

  beforeAll(async () => {
    await db.create();
    await withClient(db.url, async (c) => {
      await c.query(`CREATE TYPE "Level" AS ENUM ('LOW', 'HIGH')`);
      await c.query(`CREATE DOMAIN "Positive" AS integer CHECK (VALUE > 0)`);
      // The column types Prisma maps its scalars to, and a few more; every fifth row is NULL where it can be.
      await c.query(`CREATE TABLE "Everything" ("id" TEXT PRIMARY KEY, "n" INTEGER, "big" BIGINT, "small" SMALLINT,
        "flag" BOOLEAN, "price" DECIMAL(65,30), "ratio" DOUBLE PRECISION, "real" REAL, "at" TIMESTAMP(3),
        "atz" TIMESTAMPTZ, "day" DATE, "time" TIME, "name" VARCHAR(20), "uid" UUID, "doc" JSONB, "raw" JSON,
        "bytes" BYTEA, "level" "Level", "levels" "Level"[], "tags" TEXT[], "pos" "Positive", "stamps" TIMESTAMPTZ[],
        "span" INT4RANGE)`);
      await c.query(`INSERT INTO "Everything" SELECT 'c' || g, n, n * 10000000000, n % 100, n % 2 = 0, n / 7.0,
          n / 3.0, n / 9.0, '2026-01-01'::timestamp + n * interval '1 minute',
          '2026-01-01Z'::timestamptz + n * interval '1 hour', '2026-01-01'::date + n,
          '00:00'::time + n * interval '1 s',
          'name ' || n, md5(n::text)::uuid, jsonb_build_object('n', n), json_build_object('n', n),
          decode(md5(n::text), 'hex'), (ARRAY['LOW', 'HIGH'])[n % 2 + 1]::"Level", ARRAY['LOW', 'HIGH']::"Level"[],
          ARRAY['a' || n, 'b'], n, ARRAY['2026-01-01Z'::timestamptz + n * interval '1 day'], int4range(n, n + 5)
        FROM generate_series(1, 50) g, LATERAL (SELECT CASE WHEN g % 5 = 0 THEN NULL ELSE g END AS n) v`);
      await c.query(`CREATE TABLE "Pair" ("a" INTEGER, "b" TEXT, "v" JSONB, PRIMARY KEY ("a", "b"))`);
      await c.query(`INSERT INTO "Pair" SELECT g, 'k' || g, jsonb_build_object('g', g) FROM generate_series(1, 20) g`);
      await c.query(`CREATE TABLE "Doc" ("id" SERIAL PRIMARY KEY, "meta" JSON)`);
      await c.query(`INSERT INTO "Doc" ("meta") SELECT json_build_object('n', g) FROM generate_series(1, 12) g`);
    });
  });
  afterAll(db.drop);

  /** One rollback-like transaction on `client`, with the second connection archiveTarget checksums the source on. */
  async function inArchiveTransaction(fn: (client: Client, side: Client) => Promise<void>): Promise<void> {
    const client = new Client({ connectionString: db.url });
    const side = new Client({ connectionString: db.url });
    await client.connect();
    await side.connect();
    try {
      await client.query('BEGIN');
      await ensureArchiveSchema(client);
      await fn(client, side);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
      await side.end();
    }
  }

  it(
    'archives every column type, NULLs included, with the same checksum on the side connection and on the main ' +
      'one, and the manifest checksum is recomputed from the archive table alone',
    () =>
      inArchiveTransaction(async (client, side) => {
        const context = { migrationName: MIGRATION, incidentId: 'inc-types' };
        const table = { kind: 'table' as const, table: { schema: 'public', name: 'Everything' } };
        const column = { kind: 'column' as const, table: { schema: 'public', name: 'Pair' }, column: 'v' };
        const items = [
          await archiveTarget(client, table, 'types-side', context, { side }),
          await archiveTarget(client, table, 'types-main', context),
          await archiveTarget(client, column, 'pair-side', context, { side }),
          await archiveTarget(client, column, 'pair-main', context),
        ];
        expect(items.map((i) => i.rows)).toEqual([50, 50, 20, 20]);
        expect(items[0]?.checksum).toBe(items[1]?.checksum);
        expect(items[2]?.checksum).toBe(items[3]?.checksum);
        const manifest = await client.query<{ archive_table: string; checksum: string }>(
          'SELECT archive_table, checksum FROM rollback_archive.manifest',
        );
        expect(manifest.rows.map((r) => r.checksum).sort()).toEqual(items.map((i) => i.checksum).sort());
        for (const item of items) expect(await checksumOfArchive(client, item.archiveTable)).toBe(item.checksum);
        // Dates and times are hashed as values, not as text: another session's settings recompute the same.
        await client.query(`SET LOCAL TimeZone = 'Asia/Kolkata'; SET LOCAL DateStyle = 'German'`);
        for (const item of items) expect(await checksumOfArchive(client, item.archiveTable)).toBe(item.checksum);
      }),
  );

  it('archives a json column (no hash function for json: its text is hashed) on both connections', () =>
    inArchiveTransaction(async (client, side) => {
      const target = { kind: 'column' as const, table: { schema: 'public', name: 'Doc' }, column: 'meta' };
      const context = { migrationName: MIGRATION, incidentId: 'inc-json' };
      const viaSide = await archiveTarget(client, target, 'json-side', context, { side });
      const onMain = await archiveTarget(client, target, 'json-main', context);
      expect([viaSide.rows, onMain.rows]).toEqual([12, 12]);
      expect(viaSide.checksum).toBe(onMain.checksum);
    }));

  it('binds each value to its row and column: a swap, a moved value or a NULL changes it, row order not', async () => {
    const rowHash = rowHashSql([
      { expr: 't.id', hashFunction: 'hashint4extended' },
      { expr: 't.a', hashFunction: 'hashtextextended' },
      { expr: 't.b', hashFunction: null },
    ]);
    const checksum = (values: string): Promise<string> =>
      withClient(db.url, async (c) => {
        const fp = await fingerprint(c, `(VALUES ${values}) AS t(id, a, b)`, rowHash, '');
        return `${fp.n}:${fp.sum}`;
      });
    const base = await checksum(`(1, 'x', 'y'), (2, 'z', 'w')`);
    expect(await checksum(`(2, 'z', 'w'), (1, 'x', 'y')`)).toBe(base);
    const changed = [
      `(1, 'z', 'y'), (2, 'x', 'w')`,
      `(1, 'y', 'x'), (2, 'z', 'w')`,
      `(1, 'x', NULL::text), (2, 'z', 'w')`,
      `(1, 'x', 'y'), (2, 'z', 'W')`,
      `(1, 'x', 'y'), (1, 'x', 'y')`,
      `(1, 'x', 'y')`,
    ];
    for (const values of changed) expect(await checksum(values)).not.toBe(base);
  });
});
