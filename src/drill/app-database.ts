/**
 * The scratch app's database as Prisma Migrate keeps it: `migrate deploy`
 * under Prisma's advisory lock, each pending migration folder in one
 * transaction with its `_prisma_migrations` row (a migration marked rolled
 * back counts as pending again, as it does for Prisma), plus the queries the
 * drill checks the data with.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { withClient as withNamedClient } from '../schema/pg-client';
import { PRISMA_ADVISORY_LOCK } from '../schema/rollback/execute-rollback';
import { ARCHIVE_SCHEMA } from '../schema/rollback/catalog';
import { checksumOf } from '../schema/status/read-status';

export const PRISMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationSource {
  readonly name: string;
  readonly sql: string;
}

export const withClient = <T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> =>
  withNamedClient(url, 'rollback-bot drill', fn);

/** `prisma migrate deploy`: applies the folders not applied yet, in name order; returns their names. */
export async function migrateDeploy(url: string, migrations: readonly MigrationSource[]): Promise<string[]> {
  return withClient(url, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    try {
      await client.query(PRISMA_MIGRATIONS_TABLE);
      const rows = await client.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      );
      const applied = new Set(rows.rows.map((r) => r.migration_name));
      const done: string[] = [];
      for (const migration of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
        if (applied.has(migration.name)) continue;
        const id = randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, checksumOf(migration.sql), migration.name],
        );
        try {
          await client.query(`BEGIN;\n${migration.sql}\n;COMMIT;`);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, (error as Error).message]);
          throw new Error(`prisma migrate deploy: ${migration.name} failed: ${(error as Error).message}`);
        }
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        done.push(migration.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    }
  });
}

export async function runStatements(url: string, statements: readonly string[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const sql of statements) await client.query(sql);
  });
}

export async function queryText(url: string, sql: string): Promise<string> {
  return withClient(url, async (client) => {
    const row = (await client.query<Record<string, unknown>>(sql)).rows[0];
    return String(Object.values(row ?? {})[0] ?? '');
  });
}

/** The columns of a table in the public schema; [] when the table is not there. */
export async function columnsOf(url: string, table: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' ` +
        `AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return result.rows.map((r) => r.column_name);
  });
}

interface MigrationRowState {
  readonly name: string;
  readonly finishedAt: Date | null;
  readonly rolledBackAt: Date | null;
}

export async function migrationRows(url: string, name: string): Promise<MigrationRowState[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(
      'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ' +
        'WHERE migration_name = $1 ORDER BY started_at',
      [name],
    );
    return result.rows.map((r) => ({
      name: r.migration_name,
      finishedAt: r.finished_at,
      rolledBackAt: r.rolled_back_at,
    }));
  });
}

interface ArchiveRecord {
  readonly archiveTable: string;
  readonly incidentId: string;
  readonly source: string;
  readonly rows: number;
  readonly restored: boolean;
}

/** What the bot's schema rollbacks archived in this database (rollback_archive.manifest), oldest first. */
export async function archiveManifest(url: string): Promise<ArchiveRecord[]> {
  return withClient(url, async (client) => {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
      `"${ARCHIVE_SCHEMA}"."manifest"`,
    ]);
    if (!exists.rows[0]?.t) return [];
    const result = await client.query<{
      archive_table: string;
      incident_id: string;
      source_table: string;
      source_column: string | null;
      row_count: string;
      restored_at: Date | null;
    }>(
      `SELECT archive_table, incident_id, source_table, source_column, row_count, ` +
        `restored_at FROM "${ARCHIVE_SCHEMA}"."manifest" ORDER BY archived_at, ` +
        `archive_table`,
    );
    return result.rows.map((r) => ({
      archiveTable: r.archive_table,
      incidentId: r.incident_id,
      source: r.source_column ? `${r.source_table}.${r.source_column}` : r.source_table,
      rows: Number(r.row_count),
      restored: r.restored_at !== null,
    }));
  });
}
