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
import { HASH_FUNCTION_SQL, fingerprint, fingerprintOnSide, rowHashSql } from './fingerprint';

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

interface ColumnFacts {
  readonly name: string;
  /** format_type of an enum (or enum array) column, archived as text. */
  readonly enumType: string | null;
  readonly hashFunction: string | null;
}

/** Every column of `table` in order, with what the copy and the checksum need to know of its type. */
async function catalogColumns(client: Client, table: TableRef): Promise<ColumnFacts[]> {
  const r = await client.query<ColumnFacts>(
    `SELECT a.attname AS name,
            CASE WHEN t.typtype = 'e' OR e.typtype = 'e' THEN format_type(a.atttypid, a.atttypmod) END AS "enumType",
            ${HASH_FUNCTION_SQL} AS "hashFunction"
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [qualified(table)],
  );
  return r.rows;
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
  const facts = new Map((await catalogColumns(client, target.table)).map((c) => [c.name, c]));
  const columns = target.kind === 'table' ? [...facts.keys()] : [...keys, target.column];
  const enumType = (c: string): string | null => facts.get(c)?.enumType ?? null;
  const asText = (c: string, prefix = ''): string => {
    const type = enumType(c);
    return type ? `${prefix}${quoteIdent(c)}::${type.endsWith('[]') ? 'text[]' : 'text'}` : `${prefix}${quoteIdent(c)}`;
  };
  const recorded = Object.fromEntries(columns.flatMap((c) => (enumType(c) ? [[c, enumType(c)]] : [])));
  const selected = columns.map((c) => (enumType(c) ? `${asText(c)} AS ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
  const where = target.kind === 'table' ? '' : ` WHERE ${quoteIdent(target.column)} IS NOT NULL`;
  // Enum values are hashed as the text (or text[]) the archive holds; every other column keeps its type in the copy.
  const hashOf = (c: string): string | null => {
    const type = enumType(c);
    if (type) return type.endsWith('[]') ? 'hash_array_extended' : 'hashtextextended';
    return facts.get(c)?.hashFunction ?? null;
  };
  const rowHash = (expr: (c: string) => string): string =>
    rowHashSql(columns.map((c) => ({ expr: expr(c), hashFunction: hashOf(c) })));
  const sourceHash = rowHash((c) => asText(c, 't.'));
  const sourceWhere = where.replace(' WHERE ', ' WHERE t.');

  // No index on the archive: restore matches by key with a hash join, and an index build would hold the table lock
  // longer.
  const fromSourceLater =
    parallel && options.side ? fingerprintOnSide(options.side, `${source} AS t`, sourceHash, sourceWhere) : undefined;
  fromSourceLater?.catch(() => undefined);
  await client.query(`CREATE TABLE ${archive} AS SELECT ${selected} FROM ${source}${where}`);
  const a = fromSourceLater
    ? await fromSourceLater
    : await fingerprint(client, `${source} AS t`, sourceHash, sourceWhere);
  const b = await fingerprint(
    client,
    `${archive} AS t`,
    rowHash((c) => `t.${quoteIdent(c)}`),
    '',
  );
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
