/**
 * A Prisma-style app database: migration folders applied one transaction
 * each, with `_prisma_migrations` rows written the way Prisma Migrate does.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withClient } from '../../support/database';
import { PRISMA_MIGRATIONS_TABLE } from '../../../src/drill/app-database';
import { type CatalogSnapshot, readCatalog } from '../../../src/schema/rollback/catalog';
import { checksumOf } from '../../../src/schema/status/read-status';

export const APP_MIGRATIONS = join(__dirname, '..', '..', 'fixtures', 'schema', 'app', 'migrations');

/** The table `prisma migrate` keeps, as the drill's scratch app creates it. */
const PRISMA_TABLE = PRISMA_MIGRATIONS_TABLE;

/** Applies one migration folder as Prisma does: row first, the SQL in one transaction, then finished_at. */
export async function applyMigration(
  url: string,
  name: string,
  dir = APP_MIGRATIONS,
  edit: (sql: string) => string = (s) => s,
): Promise<void> {
  const bytes = readFileSync(join(dir, name, 'migration.sql'));
  await withClient(url, async (client) => {
    await client.query(PRISMA_TABLE);
    const id = randomUUID();
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
      [id, checksumOf(bytes), name],
    );
    try {
      await client.query(edit(bytes.toString('utf8')));
      await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
        id,
      ]);
    } catch (error) {
      await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, (error as Error).message]);
      throw error;
    }
  });
}

/**
 * The fixture app before its AI migration: the init migration applied, 20
 * users and 50 clinical notes. Returns the catalog the rollback must restore.
 */
export async function seedAppBeforeAi(url: string, init: string): Promise<CatalogSnapshot> {
  await applyMigration(url, init);
  return withClient(url, async (c) => {
    await c.query(
      `INSERT INTO "User" (email, name) SELECT 'u' || g || '@x', 'name ' || g FROM generate_series(1, 20) g`,
    );
    await c.query(
      `INSERT INTO "ClinicalNote" ("userId", body) SELECT 1 + g % 20, 'note ' || g FROM generate_series(1, 50) g`,
    );
    return readCatalog(c);
  });
}
