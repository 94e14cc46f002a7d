/**
 * Applies the bot's own SQL migrations (src/store/migrations/NNN_name.sql) in
 * order, each in its own transaction, under an advisory lock so that several
 * replicas starting together apply each migration once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger';
import type { Db } from './pool';

/** Advisory lock key for the bot's migrations (distinct from Prisma's 72707369). */
export const MIGRATION_LOCK_KEY = 7_246_817_301;

const MIGRATIONS_DIR = join(__dirname, 'migrations');

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

export async function migrate(db: Db, logger: Logger, migrations = readMigrations()): Promise<string[]> {
  return db.withClient(async (client) => {
    await client.query({ text: 'SELECT pg_advisory_lock($1)', values: [MIGRATION_LOCK_KEY] });
    try {
      await client.query({
        text: `CREATE TABLE IF NOT EXISTS bot_migrations (
                 version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      });
      const done = new Set(
        (await client.query<{ version: number }>({ text: 'SELECT version FROM bot_migrations' })).map(
          (row) => row.version,
        ),
      );
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.transaction(async (tx) => {
          await tx.query({ text: migration.sql });
          await tx.query({
            text: 'INSERT INTO bot_migrations (version, name) VALUES ($1, $2)',
            values: [migration.version, migration.name],
          });
        });
        logger.info({ migration: migration.name }, 'applied migration');
        applied.push(migration.name);
      }
      return applied;
    } finally {
      await client.query({ text: 'SELECT pg_advisory_unlock($1)', values: [MIGRATION_LOCK_KEY] });
    }
  });
}
