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
  // Enum values are archived as text (the rollback may drop their type); restore casts them back into it.
  await client.query(`ALTER TABLE ${MANIFEST} ADD COLUMN IF NOT EXISTS enum_columns jsonb NOT NULL DEFAULT '{}'`);
}

/** Columns of `table` whose type is an enum (or an array of one): column -> type as format_type spells it. */
async function enumColumns(client: Client, table: TableRef): Promise<Record<string, string>> {
  const r = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        AND (t.typtype = 'e' OR EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typtype = 'e'))`,
    [qualified(table)],
  );
  return Object.fromEntries(r.rows.map((row) => [row.name, row.type]));
}

async function columnNames(client: Client, table: string): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND ` +
      `attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  );
  return r.rows.map((row) => row.name);
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
function archiveTableName(target: ArchiveTarget, tag: string): string {
  const base = target.kind === 'table' ? target.table.name : `${target.table.name}__${target.column}`;
  const suffix = createHash('sha256').update(`${tag}:${target.table.schema}.${base}`).digest('hex').slice(0, 8);
  return `${base.slice(0, 50)}_${suffix}`;
}

/**
 * count and sum of 64-bit row hashes: independent of row order, so source and
 * copy compare without sorting. `hash_record_extended` hashes typed values
 * (fast); columns without a hash function (json) fall back to hashing the
 * row's text. sum(bigint) accumulates in 128 bits, so it is exact.
 */
type Fingerprint = { n: string; sum: string };
type HashMethod = 'record' | 'text';

function fingerprintSql(method: HashMethod, from: string, columns: string, where: string): string {
  const hash =
    method === 'record' ? `hash_record_extended(row(${columns}), 0)` : `hashtextextended(row(${columns})::text, 0)`;
  return `SELECT count(*)::bigint AS n, coalesce(sum(${hash}), 0)::text AS sum FROM ${from}${where}`;
}

const NO_HASH_FUNCTION = '42883';

async function fingerprint(
  client: Client,
  from: string,
  columns: string,
  where: string,
  method?: HashMethod,
): Promise<Fingerprint & { method: HashMethod }> {
  if (method) {
    const row = (await client.query<Fingerprint>(fingerprintSql(method, from, columns, where))).rows[0];
    if (!row)
      throw new RollbackError('internal', `Could not checksum ${from}.`, {
        fix: 'Nothing was dropped: the transaction was rolled back. Report this as a bug.',
      });
    return { ...row, method };
  }
  // A savepoint keeps the rollback's transaction usable when the typed hash is not available.
  await client.query('SAVEPOINT rollback_bot_fingerprint');
  try {
    const result = await fingerprint(client, from, columns, where, 'record');
    await client.query('RELEASE SAVEPOINT rollback_bot_fingerprint');
    return result;
  } catch (error) {
    if ((error as { code?: string }).code !== NO_HASH_FUNCTION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT rollback_bot_fingerprint');
    return fingerprint(client, from, columns, where, 'text');
  }
}

async function fingerprintOnSide(
  side: Client,
  from: string,
  columns: string,
  where: string,
): Promise<Fingerprint & { method: HashMethod }> {
  await side.query('BEGIN READ ONLY');
  try {
    return await fingerprint(side, from, columns, where);
  } finally {
    await side.query('ROLLBACK');
  }
}

/**
 * True when this transaction already locked the table (an earlier inverse step): another connection would wait on it
 * and see other data.
 */
async function touchedByThisTransaction(client: Client, table: string): Promise<boolean> {
  const r = await client.query(
    'SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = $2 AND relation = $1::regclass',
    [table, 'relation'],
  );
  return (r.rowCount ?? 0) > 0;
}

interface ArchiveOptions {
  /**
   * A second connection to the same database. When the table is untouched so
   * far, the source checksum runs on it while the copy runs: the EXCLUSIVE
   * lock taken first stops every writer, so both connections see the same rows.
   */
  readonly side?: Client;
}

export async function archiveTarget(
  client: Client,
  target: ArchiveTarget,
  tag: string,
  context: { migrationName: string; incidentId: string },
  options: ArchiveOptions = {},
): Promise<ArchivedItem> {
  const source = qualified(target.table);
  const parallel = options.side !== undefined && !(await touchedByThisTransaction(client, source));
  // Writers wait from here to the commit, so nothing lands in the source between the copy and the drop.
  await client.query(`LOCK TABLE ${source} IN EXCLUSIVE MODE`);
  const keys = await primaryKeyColumns(client, target.table);
  if (target.kind === 'column' && keys.length === 0) {
    throw new RollbackError(
      'conflict',
      `"${target.table.name}" has no primary key, so the values of "${target.column}" cannot be archived row by row.`,
      {
        fix: 'Add a primary key to the table first, or archive the column by hand; nothing was changed.',
      },
    );
  }
  const name = archiveTableName(target, tag);
  const archive = `${quoteIdent(ARCHIVE_SCHEMA)}.${quoteIdent(name)}`;
  const enums = await enumColumns(client, target.table);
  const columns = target.kind === 'table' ? await columnNames(client, source) : [...keys, target.column];
  const asText = (c: string, prefix = ''): string =>
    enums[c]
      ? `${prefix}${quoteIdent(c)}::${enums[c]?.endsWith('[]') ? 'text[]' : 'text'}`
      : `${prefix}${quoteIdent(c)}`;
  const recorded = Object.fromEntries(Object.entries(enums).filter(([c]) => columns.includes(c)));
  const selected = columns.map((c) => (enums[c] ? `${asText(c)} AS ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
  const where = target.kind === 'table' ? '' : ` WHERE ${quoteIdent(target.column)} IS NOT NULL`;
  const rowExpr = columns.map((c) => asText(c, 't.')).join(', ');
  const archiveRowExpr = columns.map((c) => `t.${quoteIdent(c)}`).join(', ');
  const sourceWhere = where.replace(' WHERE ', ' WHERE t.');

  // No index on the archive: restore matches by key with a hash join, and an index build would hold the table lock
  // longer.
  const fromSourceLater =
    parallel && options.side ? fingerprintOnSide(options.side, `${source} AS t`, rowExpr, sourceWhere) : undefined;
  fromSourceLater?.catch(() => undefined);
  await client.query(`CREATE TABLE ${archive} AS SELECT ${selected} FROM ${source}${where}`);
  const a = fromSourceLater ? await fromSourceLater : await fingerprint(client, `${source} AS t`, rowExpr, sourceWhere);
  const b = await fingerprint(client, `${archive} AS t`, archiveRowExpr, '', a.method);
  if (a.n !== b.n || a.sum !== b.sum) {
    throw new RollbackError(
      'internal',
      `The archive copy of ${source} is incomplete (${a.n} rows in the source, ${b.n} archived).`,
      {
        fix: 'Nothing was dropped: the transaction was rolled back. Report this as a bug.',
      },
    );
  }
  const checksum = `${a.n}:${a.sum}`;
  await client.query(
    `INSERT INTO ${MANIFEST} (archive_table, migration_name, incident_id, kind, source_schema, source_table,
       source_column, key_columns, row_count, checksum, enum_columns)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      name,
      context.migrationName,
      context.incidentId,
      target.kind,
      target.table.schema,
      target.table.name,
      target.kind === 'column' ? target.column : null,
      keys,
      a.n,
      checksum,
      JSON.stringify(recorded),
    ],
  );
  return { archiveTable: `${ARCHIVE_SCHEMA}.${name}`, target, rows: Number(a.n), checksum };
}
