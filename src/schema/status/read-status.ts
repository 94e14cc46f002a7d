/**
 * `prisma migrate status`, read with pg: the folder at the deployed commit
 * against `_prisma_migrations`. Prisma's checksum is the sha256 hex of the
 * migration.sql bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';
import type { MigrationName } from '../../rollback/ids';
import type { MigrationStatus, MigrationStatusEntry } from '../../rollback/ports/schema';

export interface MigrationFolder {
  readonly name: MigrationName;
  readonly path: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationRow {
  readonly id: string;
  readonly checksum: string;
  readonly migration_name: string;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly rolled_back_at: Date | null;
  readonly logs: string | null;
}

export function checksumOf(sql: Buffer | string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export function readMigrationFolders(migrationsDir: string): MigrationFolder[] {
  if (!existsSync(migrationsDir)) {
    throw new RollbackError('not_found', `The migrations folder ${migrationsDir} does not exist.`, {
      fix: 'Check database.migrationsDir in the services file (default prisma/migrations).',
    });
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(migrationsDir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const path = join(migrationsDir, name, 'migration.sql');
      const bytes = readFileSync(path);
      return { name: name as MigrationName, path, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) };
    });
}

export async function readMigrationRows(client: Client): Promise<MigrationRow[]> {
  try {
    const result = await client.query<MigrationRow>(
      'SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, ' +
        'logs FROM "_prisma_migrations" ORDER BY started_at, migration_name',
    );
    return result.rows;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new RollbackError(
        'not_found',
        'The database has no _prisma_migrations table: it is not managed by Prisma Migrate.',
        {
          cause: error,
          fix: 'Check that database.urlEnv points at the app database that `prisma migrate deploy` writes to.',
        },
      );
    }
    throw error;
  }
}

/** Prisma keeps one row per attempt: a migration is applied if one attempt finished and was not rolled back. */
export function stateOf(rows: readonly MigrationRow[]): MigrationStatusEntry['state'] {
  const live = rows.filter((r) => r.rolled_back_at === null);
  if (live.some((r) => r.finished_at !== null)) return 'applied';
  if (live.length > 0) return 'failed';
  return rows.length > 0 ? 'rolled-back' : 'pending';
}

export function buildStatus(folders: readonly MigrationFolder[], rows: readonly MigrationRow[]): MigrationStatus {
  const names = [...new Set([...folders.map((f) => f.name as string), ...rows.map((r) => r.migration_name)])].sort();
  const entries = names.map((name): MigrationStatusEntry => {
    const own = rows.filter((r) => r.migration_name === name);
    const folder = folders.find((f) => f.name === name);
    const state = stateOf(own);
    const applied = own.find((r) => r.rolled_back_at === null && r.finished_at !== null);
    const failed = own.find((r) => r.rolled_back_at === null && r.finished_at === null);
    return {
      name: name as MigrationName,
      state,
      checksumMismatch: Boolean(applied && folder && applied.checksum !== folder.checksum),
      missingFromFolder: !folder,
      ...(applied?.finished_at ? { finishedAt: applied.finished_at } : {}),
      ...(failed?.logs ? { logs: failed.logs } : {}),
    };
  });
  const label: Record<MigrationStatusEntry['state'], string> = {
    applied: 'Applied',
    pending: 'Pending',
    failed: 'FAILED',
    'rolled-back': 'Rolled back',
  };
  const lines = entries.map((e) => {
    const notes = [
      e.checksumMismatch ? 'CHECKSUM MISMATCH: migration.sql changed after it was applied' : '',
      e.missingFromFolder ? 'not in the migrations folder' : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `${label[e.state]}: ${e.name}${notes ? ` (${notes})` : ''}`;
  });
  return { entries, summary: lines.reverse().join('\n') };
}
