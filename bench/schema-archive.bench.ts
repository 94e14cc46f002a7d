/**
 * Issue 5's archive target: the bot's archive-and-drop of a column holding
 * 1,000,000 non-null values (copy with primary keys into the archive schema,
 * count + checksum verification, then DROP COLUMN, in one transaction) at most
 * 1.5x a plain CREATE TABLE ... AS SELECT + ALTER TABLE ... DROP COLUMN of the
 * same data. Each run gets a fresh copy of the table; the two are alternated.
 */
import { Client } from 'pg';
import { benchDatabase, pairedRounds } from './support';
import { archiveTarget, ensureArchiveSchema } from '../src/schema/rollback/archive';
import type { Bench, BenchResult } from './types';
import { percentile } from './types';

const ROWS = 1_000_000;
/** Odd, so the median is one round's ratio; 5 rounds left the headline a few tenths either side of the target. */
const ROUNDS = 9;

/** A Prisma-style table: serial primary key, a text column with a value in every row. */
async function freshTable(client: Client, name: string): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS "${name}"`);
  await client.query(
    `CREATE TABLE "${name}" ("id" SERIAL NOT NULL, "body" TEXT NOT NULL, "aiSummary" ` +
      `TEXT, CONSTRAINT "${name}_pkey" PRIMARY KEY ("id"))`,
  );
  await client.query(
    `INSERT INTO "${name}" ("body", "aiSummary") SELECT 'note ' || g, 'summary of ` +
      `note ' || g || ' ' || md5(g::text) FROM generate_series(1, ${ROWS}) g`,
  );
  await client.query(`VACUUM ANALYZE "${name}"`);
  await client.query('CHECKPOINT');
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const bench: Bench = {
  name: 'schema-archive',
  async run(): Promise<BenchResult[]> {
    const database = await benchDatabase('archive');
    const client = new Client({ connectionString: database.url });
    const side = new Client({ connectionString: database.url });
    await client.connect();
    await side.connect();
    let paired: Awaited<ReturnType<typeof pairedRounds>>;
    const viaBot = async (round: number): Promise<number> => {
      await freshTable(client, 'NoteBot');
      const ms = await timed(async () => {
        await client.query('BEGIN');
        await ensureArchiveSchema(client);
        const item = await archiveTarget(
          client,
          { kind: 'column', table: { schema: 'public', name: 'NoteBot' }, column: 'aiSummary' },
          `bench-${round}`,
          {
            migrationName: '20260117000000_add_ai_features',
            incidentId: `bench-${round}`,
          },
          { side },
        );
        if (item.rows !== ROWS) throw new Error(`archived ${item.rows} rows, expected ${ROWS}`);
        await client.query('ALTER TABLE "NoteBot" DROP COLUMN "aiSummary"');
        await client.query('COMMIT');
      });
      await client.query('DROP TABLE "NoteBot"');
      return ms;
    };
    const viaPlain = async (round: number): Promise<number> => {
      await freshTable(client, 'NotePlain');
      const ms = await timed(async () => {
        await client.query('BEGIN');
        await client.query(`CREATE TABLE "plain_copy_${round}" AS SELECT "id", "aiSummary" FROM "NotePlain"`);
        await client.query('ALTER TABLE "NotePlain" DROP COLUMN "aiSummary"');
        await client.query('COMMIT');
      });
      await client.query('DROP TABLE "NotePlain"');
      return ms;
    };
    try {
      // Not counted: the first run of each side pays for a new database's catalog caches and the archive schema.
      await viaBot(ROUNDS);
      await viaPlain(ROUNDS);
      paired = await pairedRounds(ROUNDS, viaBot, viaPlain);
    } finally {
      await client.end();
      await side.end();
      await database.drop();
    }
    const bot = paired.a;
    const plain = paired.b;
    const botMs = percentile(bot, 50);
    const plainMs = percentile(plain, 50);
    const ratio = paired.ratio;
    return [
      {
        name:
          'archive-and-drop of a column with 1,000,000 non-null values, vs plain CREATE ' +
          'TABLE AS + DROP COLUMN, paired ratio',
        value: Number(ratio.toFixed(2)),
        unit: 'x',
        target: '<= 1.5x',
        pass: ratio <= 1.5,
        comparison:
          `per-round ratios ${paired.ratios.map((r) => r.toFixed(2)).join(', ')}; bot ` +
          `median ${botMs.toFixed(0)} ms (runs ${bot.map((v) => v.toFixed(0)).join(', ')}); ` +
          `plain median ${plainMs.toFixed(0)} ms (runs ` +
          `${plain.map((v) => v.toFixed(0)).join(', ')})`,
        method:
          `1 warm-up run of each side not counted, then ${ROUNDS} interleaved rounds, first side alternating ` +
          `(${paired.order.join(' ')}), headline = median of the per-round bot/plain ` +
          `ratios; each run on a fresh vacuumed table of ${ROWS} rows (serial id primary ` +
          `key, text column ~50 bytes); bot = EXCLUSIVE lock, copy with the primary key ` +
          `values into rollback_archive, count + checksum of the source (on a second ` +
          `connection, during the copy) and of the copy, manifest row, DROP COLUMN, one ` +
          `transaction; plain = CREATE TABLE AS SELECT id, column + DROP COLUMN, one ` +
          `transaction`,
      },
    ];
  },
};
