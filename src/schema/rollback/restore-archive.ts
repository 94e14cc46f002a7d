/**
 * Brings archived values back: column archives are written back by primary
 * key into a table that has the column again; table archives are inserted
 * into a table of that name. One transaction per restore.
 */
import { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';
import { qualified, quoteIdent } from '../sql/ast';
import { MANIFEST } from './archive';
import { ARCHIVE_SCHEMA } from './catalog';

interface ManifestRow {
  archive_table: string;
  migration_name: string;
  kind: 'table' | 'column';
  source_schema: string;
  source_table: string;
  source_column: string | null;
  key_columns: string[];
  row_count: string;
  restored_at: Date | null;
  enum_columns?: Record<string, string> | null;
}

/**
 * Table archives first, parents before children (foreign keys between the
 * restored tables as they exist now), then column archives: every row a
 * restored value refers to is back before it.
 */
async function inDependencyOrder(client: Client, rows: ManifestRow[]): Promise<ManifestRow[]> {
  const tables = rows.filter((r) => r.kind === 'table');
  const name = (r: ManifestRow): string => qualified({ schema: r.source_schema, name: r.source_table });
  const edges = await client
    .query<{ child: string; parent: string }>(
      `SELECT k.conrelid::regclass::text AS child, k.confrelid::regclass::text AS parent FROM pg_constraint k
      WHERE k.contype = 'f' AND k.conrelid <> k.confrelid AND k.conrelid = ANY($1::regclass[]) AND k.confrelid =
        ANY($1::regclass[])`,
      [tables.map(name).filter(Boolean)],
    )
    .catch(() => ({ rows: [] as { child: string; parent: string }[] }));
  const oid = async (r: ManifestRow): Promise<string> =>
    (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name(r)])).rows[0]?.t ?? name(r);
  const names = new Map<ManifestRow, string>();
  for (const r of tables) names.set(r, await oid(r));
  const ordered: ManifestRow[] = [];
  const visiting = new Set<string>();
  const visit = (r: ManifestRow): void => {
    const me = names.get(r) ?? '';
    if (ordered.includes(r) || visiting.has(me)) return;
    visiting.add(me);
    for (const e of edges.rows) if (e.child === me) tables.filter((t) => names.get(t) === e.parent).forEach(visit);
    ordered.push(r);
  };
  tables.forEach(visit);
  return [...ordered, ...rows.filter((r) => r.kind !== 'table')];
}

export interface RestoreResult {
  readonly archiveTable: string;
  readonly restoredRows: number;
}

/** `selector` is an archive table name or a migration name (restores all of its archives). */
export async function restoreArchive(databaseUrl: string, selector: string): Promise<RestoreResult[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'rollback-bot restore-archive' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const exists = await client.query('SELECT to_regclass($1) AS t', [`${quoteIdent(ARCHIVE_SCHEMA)}."manifest"`]);
    const manifest = exists.rows[0]?.t
      ? await client.query<ManifestRow>(
          `SELECT * FROM ${MANIFEST} WHERE (archive_table = $1 OR migration_name = $1) AND ` +
            `restored_at IS NULL ORDER BY archived_at, archive_table FOR UPDATE`,
          [selector.replace(new RegExp(`^${ARCHIVE_SCHEMA}\\.`), '')],
        )
      : { rows: [] as ManifestRow[] };
    if (manifest.rows.length === 0) {
      throw new RollbackError('not_found', `No unrestored archive matches "${selector}".`, {
        fix: `List them with: SELECT archive_table, migration_name, restored_at FROM ${ARCHIVE_SCHEMA}.manifest;`,
      });
    }
    const results: RestoreResult[] = [];
    for (const row of await inDependencyOrder(client, manifest.rows)) {
      const enums = row.enum_columns ?? {};
      const value = (c: string, prefix: string): string =>
        enums[c] ? `${prefix}${quoteIdent(c)}::${enums[c]}` : `${prefix}${quoteIdent(c)}`;
      const archive = `${quoteIdent(ARCHIVE_SCHEMA)}.${quoteIdent(row.archive_table)}`;
      const target = qualified({ schema: row.source_schema, name: row.source_table });
      let restored: number;
      try {
        if (row.kind === 'column' && row.source_column) {
          const col = quoteIdent(row.source_column);
          const match = row.key_columns.map((k) => `t.${quoteIdent(k)} = a.${quoteIdent(k)}`).join(' AND ');
          const r = await client.query(
            `UPDATE ${target} AS t SET ${col} = ${value(row.source_column, 'a.')} FROM ${archive} AS a WHERE ${match}`,
          );
          restored = r.rowCount ?? 0;
        } else {
          const cols = await client.query<{ name: string }>(
            `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND ` +
              `attnum > 0 AND NOT attisdropped ORDER BY attnum`,
            [archive],
          );
          const list = cols.rows.map((c) => quoteIdent(c.name)).join(', ');
          const values = cols.rows.map((c) => value(c.name, '')).join(', ');
          const r = await client.query(
            `INSERT INTO ${target} (${list}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM ${archive}`,
          );
          restored = r.rowCount ?? 0;
        }
      } catch (error) {
        throw new RollbackError(
          'conflict',
          `Cannot restore ${row.archive_table} into ${target}: ${(error as Error).message}`,
          {
            cause: error,
            fix:
              'The table (and column) must exist again with compatible types, e.g. after ' +
              're-applying the migration; nothing was restored.',
          },
        );
      }
      if (restored !== Number(row.row_count)) {
        throw new RollbackError(
          'conflict',
          `Only ${restored} of ${row.row_count} archived rows of ${row.archive_table} found their row in ${target}.`,
          {
            fix:
              'Rows were deleted since the archive was made; nothing was restored. Restore the ' +
              'missing rows first or copy by hand.',
          },
        );
      }
      await client.query(`UPDATE ${MANIFEST} SET restored_at = now() WHERE archive_table = $1`, [row.archive_table]);
      results.push({ archiveTable: `${ARCHIVE_SCHEMA}.${row.archive_table}`, restoredRows: restored });
    }
    await client.query('COMMIT');
    return results;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
