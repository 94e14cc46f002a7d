/**
 * A Prisma-style app database: migration folders applied one transaction
 * each, with `_prisma_migrations` rows written the way Prisma Migrate does.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { PRISMA_MIGRATIONS_TABLE } from '../../../src/drill/app-database';
import { checksumOf } from '../../../src/schema/status/read-status';

export const APP_MIGRATIONS = join(__dirname, '..', '..', 'fixtures', 'schema', 'app', 'migrations');

/** The table `prisma migrate` keeps, as the drill's scratch app creates it. */
export const PRISMA_TABLE = PRISMA_MIGRATIONS_TABLE;

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Applies one migration folder as Prisma does: row first, the SQL in one transaction, then finished_at. */
export async function applyMigration(url: string, name: string, dir = APP_MIGRATIONS, edit: (sql: string) => string = (s) => s): Promise<void> {
  const bytes = readFileSync(join(dir, name, 'migration.sql'));
  await withClient(url, async (client) => {
    await client.query(PRISMA_TABLE);
    const id = randomUUID();
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, checksumOf(bytes), name]);
    try {
      await client.query(edit(bytes.toString('utf8')));
      await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
    } catch (error) {
      await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, (error as Error).message]);
      throw error;
    }
  });
}
