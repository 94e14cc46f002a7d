/**
 * A Prisma-style app database: migration folders applied one transaction
 * each, with `_prisma_migrations` rows written the way Prisma Migrate does.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { checksumOf } from '../../../src/schema/status/read-status';

export const APP_MIGRATIONS = join(__dirname, '..', '..', 'fixtures', 'schema', 'app', 'migrations');

export const PRISMA_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

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
