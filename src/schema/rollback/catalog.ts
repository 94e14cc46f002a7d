/**
 * A comparable picture of an app database's schema: columns (type,
 * nullability, default), indexes, constraints and enums. Used to learn the
 * schema before a migration (shadow) and to prove an inverse gives it back.
 */
import type { Client } from 'pg';

export const ARCHIVE_SCHEMA = 'rollback_archive';

export interface ColumnInfo {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
}

export interface CatalogSnapshot {
  readonly columns: readonly ColumnInfo[];
  /** `schema.table.index: CREATE INDEX ...` */
  readonly indexes: ReadonlyMap<string, string>;
  /** `schema.table.constraint: definition` */
  readonly constraints: ReadonlyMap<string, string>;
  readonly enums: ReadonlyMap<string, readonly string[]>;
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', '${ARCHIVE_SCHEMA}') AND n.nspname NOT LIKE 'pg_%'`;

export async function readCatalog(client: Client): Promise<CatalogSnapshot> {
  const columns = await client.query<{ schema: string; table: string; name: string; type: string; not_null: boolean; default: string | null }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_SCHEMAS} AND c.relname <> '_prisma_migrations'
      ORDER BY 1, 2, 3`,
  );
  const indexes = await client.query<{ key: string; def: string }>(
    `SELECT schemaname || '.' || tablename || '.' || indexname AS key, indexdef AS def FROM pg_indexes n
      WHERE ${USER_SCHEMAS.replace(/n\.nspname/g, 'n.schemaname')} AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  const constraints = await client.query<{ key: string; def: string }>(
    `SELECT n.nspname || '.' || c.relname || '.' || k.conname AS key, pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_SCHEMAS} AND c.relname <> '_prisma_migrations' ORDER BY 1`,
  );
  const enums = await client.query<{ key: string; labels: string[] }>(
    `SELECT n.nspname || '.' || t.typname AS key, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${USER_SCHEMAS} GROUP BY 1 ORDER BY 1`,
  );
  return {
    columns: columns.rows.map((r) => ({ schema: r.schema, table: r.table, name: r.name, type: r.type, notNull: r.not_null, default: r.default })),
    indexes: new Map(indexes.rows.map((r) => [r.key, r.def])),
    constraints: new Map(constraints.rows.map((r) => [r.key, r.def])),
    enums: new Map(enums.rows.map((r) => [r.key, r.labels])),
  };
}

function describeColumn(c: ColumnInfo): string {
  return `column ${c.schema}.${c.table}.${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default === null ? '' : ` DEFAULT ${c.default}`}`;
}

/** Every line present on one side only; empty means identical. */
export function diffCatalogs(expected: CatalogSnapshot, actual: CatalogSnapshot): string[] {
  const lines = (s: CatalogSnapshot): Set<string> =>
    new Set([
      ...s.columns.map(describeColumn),
      ...[...s.indexes].map(([k, v]) => `index ${k}: ${v}`),
      ...[...s.constraints].map(([k, v]) => `constraint ${k}: ${v}`),
      ...[...s.enums].map(([k, v]) => `enum ${k}: ${v.join(', ')}`),
    ]);
  const a = lines(expected);
  const b = lines(actual);
  return [...[...a].filter((l) => !b.has(l)).map((l) => `missing: ${l}`), ...[...b].filter((l) => !a.has(l)).map((l) => `extra: ${l}`)];
}

export function findColumn(snapshot: CatalogSnapshot, schema: string, table: string, name: string): ColumnInfo | undefined {
  return snapshot.columns.find((c) => c.schema === schema && c.table === table && c.name === name);
}
