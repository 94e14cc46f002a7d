/**
 * The data-loss metric counts archived values never put back. A schema
 * rollback's step output says what it archived; whether restore-archive put
 * it back is only known in the app database's rollback_archive.manifest
 * (restore-archive may run anywhere, e.g. on an operator's laptop). This
 * reads the manifest for the archives still unrestored and records the
 * answer in archive_facts.
 */
import { Client } from 'pg';
import type { Logger } from '../logger';
import type { EngineDeps } from '../rollback/incident/engine-deps';
import { ARCHIVE_SCHEMA } from '../schema/rollback/catalog';
import { MANIFEST } from '../schema/rollback/archive';
import type { Db } from '../store/pool';
import {
  type ArchiveFactRow,
  selectArchiveOwners,
  selectUnrestoredArchives,
  upsertArchiveFacts,
} from '../store/queries/stats';

interface ManifestRow {
  archive_table: string;
  incident_id: string;
  row_count: string;
  restored_at: Date | null;
}

const PREFIX = `${ARCHIVE_SCHEMA}.`;

async function readManifest(url: string, names: readonly string[]): Promise<ManifestRow[]> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 10_000,
    application_name: 'rollback-bot archive-restores',
  });
  await client.connect();
  try {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [MANIFEST]);
    if (!exists.rows[0]?.t) return [];
    const rows = await client.query<ManifestRow>(
      `SELECT archive_table, incident_id, row_count, restored_at FROM ${MANIFEST} WHERE ` +
        `archive_table = ANY($1::text[])`,
      [names],
    );
    return rows.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Returns how many archives were checked; a service whose database cannot be read is skipped until the next run. */
export async function syncArchiveRestores(deps: {
  db: Db;
  engine: Pick<EngineDeps, 'services' | 'env' | 'clock'>;
  logger: Logger;
}): Promise<number> {
  let checked = 0;
  for (const service of deps.engine.services) {
    if (!service.database) continue;
    const open = await deps.db.query<{ archive_table: string; incident_id: string }>(
      selectUnrestoredArchives(service.name),
    );
    if (open.length === 0) continue;
    const url = deps.engine.env[service.database.urlEnv];
    if (!url) {
      deps.logger.warn(
        { service: service.name, env: service.database.urlEnv },
        'cannot check archive restores: the app database URL is not set',
      );
      continue;
    }
    let manifest: ManifestRow[];
    try {
      manifest = await readManifest(
        url,
        open.map((a) => a.archive_table.replace(PREFIX, '')),
      );
    } catch (error) {
      deps.logger.warn(
        { service: service.name, err: error },
        'cannot check archive restores: the app database did not answer',
      );
      continue;
    }
    const facts: ArchiveFactRow[] = manifest.map((row) => ({
      archiveTable: `${PREFIX}${row.archive_table}`,
      incidentId: row.incident_id,
      rows: Number(row.row_count),
      restoredAt: row.restored_at,
    }));
    if (facts.length > 0) await deps.db.query(upsertArchiveFacts(service.name, facts, deps.engine.clock.now()));
    checked += facts.length;
  }
  return checked;
}

/**
 * restore-archive records what it put back in the bot's store at once, so data
 * loss stops counting it now, not at the next sync. Archives no schema step of
 * the bot made are left alone. Returns how many archives were recorded.
 */
export async function recordRestored(
  db: Db,
  restored: readonly { archiveTable: string; restoredRows: number }[],
  at: Date,
): Promise<number> {
  if (restored.length === 0) return 0;
  const owners = await db.query<{ service: string; incident_id: string; archive_table: string }>(
    selectArchiveOwners(restored.map((r) => r.archiveTable)),
  );
  const byService = new Map<string, ArchiveFactRow[]>();
  for (const owner of owners) {
    const rows = restored.find((r) => r.archiveTable === owner.archive_table)?.restoredRows ?? 0;
    byService.set(owner.service, [
      ...(byService.get(owner.service) ?? []),
      { archiveTable: owner.archive_table, incidentId: owner.incident_id, rows, restoredAt: at },
    ]);
  }
  for (const [service, facts] of byService) await db.query(upsertArchiveFacts(service, facts, at));
  return owners.length;
}
