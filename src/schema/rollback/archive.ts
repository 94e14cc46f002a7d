/**
 * Copies what an inverse step is about to drop into the archive schema, with
 * each row's primary key, and proves the copy complete (count and an
 * order-independent checksum) before the drop may run. Runs inside the
 * rollback's transaction.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { RollbackError } from '../../rollback/errors';
import type { ArchiveTarget, ArchivedItem, TableRef } from '../../rollback/ports/schema';
import { qualified, quoteIdent } from '../sql/ast';
import { ARCHIVE_SCHEMA } from './catalog';

export const MANIFEST = `${quoteIdent(ARCHIVE_SCHEMA)}."manifest"`;

export async function ensureArchiveSchema(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ARCHIVE_SCHEMA)}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${MANIFEST} (
    archive_table text PRIMARY KEY,
    migration_name text NOT NULL,
    incident_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('table', 'column')),
    source_schema text NOT NULL,
    source_table text NOT NULL,
    source_column text,
    key_columns text[] NOT NULL,
    row_count bigint NOT NULL,
    checksum text NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now(),
    restored_at timestamptz)`);
}

export async function primaryKeyColumns(client: Client, table: TableRef): Promise<string[]> {
  const result = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey, a.attnum)`,
    [qualified(table)],
  );
  return result.rows.map((r) => r.attname);
}

/** Archive table names stay within PostgreSQL's 63-byte limit and never collide. */
export function archiveTableName(target: ArchiveTarget, tag: string): string {
  const base = target.kind === 'table' ? target.table.name : `${target.table.name}__${target.column}`;
  const suffix = createHash('sha256').update(`${tag}:${target.table.schema}.${base}`).digest('hex').slice(0, 8);
  return `${base.slice(0, 50)}_${suffix}`;
}

/** count and sum of row hashes: independent of row order, so source and copy compare without sorting. */
function fingerprintSql(from: string, columns: string, where: string): string {
  return `SELECT count(*)::bigint AS n, coalesce(sum(hashtextextended(row(${columns})::text, 0)::numeric), 0)::text AS sum FROM ${from}${where}`;
}

export async function archiveTarget(client: Client, target: ArchiveTarget, tag: string, context: { migrationName: string; incidentId: string }): Promise<ArchivedItem> {
  const source = qualified(target.table);
  const keys = await primaryKeyColumns(client, target.table);
  if (target.kind === 'column' && keys.length === 0) {
    throw new RollbackError('conflict', `"${target.table.name}" has no primary key, so the values of "${target.column}" cannot be archived row by row.`, {
      fix: 'Add a primary key to the table first, or archive the column by hand; nothing was changed.',
    });
  }
  const name = archiveTableName(target, tag);
  const archive = `${quoteIdent(ARCHIVE_SCHEMA)}.${quoteIdent(name)}`;
  const selected =
    target.kind === 'table' ? '*' : [...keys, target.column].map(quoteIdent).join(', ');
  const where = target.kind === 'table' ? '' : ` WHERE ${quoteIdent(target.column)} IS NOT NULL`;
  await client.query(`CREATE TABLE ${archive} AS SELECT ${selected} FROM ${source}${where}`);
  if (keys.length > 0) await client.query(`ALTER TABLE ${archive} ADD PRIMARY KEY (${keys.map(quoteIdent).join(', ')})`);

  const rowExpr = target.kind === 'table' ? 't.*' : [...keys, target.column].map((c) => `t.${quoteIdent(c)}`).join(', ');
  const [fromSource, fromArchive] = await Promise.all([
    client.query<{ n: string; sum: string }>(fingerprintSql(`${source} AS t`, rowExpr, where.replace(' WHERE ', ' WHERE t.'))),
    client.query<{ n: string; sum: string }>(fingerprintSql(`${archive} AS t`, rowExpr, '')),
  ]);
  const a = fromSource.rows[0];
  const b = fromArchive.rows[0];
  if (!a || !b || a.n !== b.n || a.sum !== b.sum) {
    throw new RollbackError('internal', `The archive copy of ${source} is incomplete (${a?.n ?? '?'} rows in the source, ${b?.n ?? '?'} archived).`, {
      fix: 'Nothing was dropped: the transaction was rolled back. Report this as a bug.',
    });
  }
  const checksum = `${a.n}:${a.sum}`;
  await client.query(
    `INSERT INTO ${MANIFEST} (archive_table, migration_name, incident_id, kind, source_schema, source_table, source_column, key_columns, row_count, checksum)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [name, context.migrationName, context.incidentId, target.kind, target.table.schema, target.table.name, target.kind === 'column' ? target.column : null, keys, a.n, checksum],
  );
  return { archiveTable: `${ARCHIVE_SCHEMA}.${name}`, target, rows: Number(a.n), checksum };
}
