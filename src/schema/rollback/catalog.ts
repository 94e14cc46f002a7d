/**
 * A comparable picture of an app database's schema: columns (type,
 * nullability, default), indexes, constraints, enums, and the kinds a
 * migration can also change: functions, triggers, views, sequences,
 * extensions and row-level security policies. Used to learn the schema
 * before a migration (shadow), to prove an inverse gives it back, and to
 * check the live schema inside the rollback's transaction.
 */
import type { Client } from 'pg';

export const ARCHIVE_SCHEMA = 'rollback_archive';

interface ColumnInfo {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
  /** The column's type is an enum (or an array of one): archived as text so the type can be dropped. */
  readonly isEnum: boolean;
}

export interface CatalogSnapshot {
  readonly columns: readonly ColumnInfo[];
  /** `schema.table.index: CREATE INDEX ...` */
  readonly indexes: ReadonlyMap<string, string>;
  /** `schema.table.constraint: definition` */
  readonly constraints: ReadonlyMap<string, string>;
  readonly enums: ReadonlyMap<string, readonly string[]>;
  /**
   * function, trigger, view, sequence, extension, policy: `owner key|name -> definition` (owner key: `schema.table` or
   * `schema.name`).
   */
  readonly others: ReadonlyMap<string, string>;
}

const USER_SCHEMAS =
  `n.nspname NOT IN ('pg_catalog', 'information_schema', '${ARCHIVE_SCHEMA}') AND ` + `n.nspname NOT LIKE 'pg_%'`;
/** Objects that belong to an extension are the extension's, compared through its version. */
const NOT_FROM_EXTENSION = (oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;

const OTHERS_SQL = `
  SELECT 'function ' || n.nspname || '.' || p.proname || '|' || pg_get_function_identity_arguments(p.oid) AS key,
    pg_get_functiondef(p.oid) AS def
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE ${USER_SCHEMAS} AND p.prokind IN ('f', 'p') AND ${NOT_FROM_EXTENSION('p.oid')}
  UNION ALL
  SELECT 'trigger ' || n.nspname || '.' || c.relname || '|' || t.tgname, pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_SCHEMAS} AND NOT t.tgisinternal
  UNION ALL
  SELECT 'view ' || n.nspname || '.' || c.relname || '|', c.relkind::text || ' ' || pg_get_viewdef(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_SCHEMAS} AND c.relkind IN ('v', 'm') AND ${NOT_FROM_EXTENSION('c.oid')}
  UNION ALL
  SELECT 'sequence ' || n.nspname || '.' || c.relname || '|', format_type(s.seqtypid, NULL) || ' increment ' ||
    s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cycle ' || s.seqcycle::text
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_SCHEMAS} AND c.relname NOT LIKE '\\_prisma%'
  UNION ALL
  SELECT 'extension ' || e.extname || '|', e.extversion FROM pg_extension e WHERE e.extname <> 'plpgsql'
  UNION ALL
  SELECT 'policy ' || p.schemaname || '.' || p.tablename || '|' || p.policyname,
         p.permissive || ' ' || p.cmd || ' ' || array_to_string(p.roles, ',') || ' using ' || coalesce(p.qual, '') ||
           ' check ' || coalesce(p.with_check, '')
    FROM pg_policies p WHERE p.schemaname NOT IN ('${ARCHIVE_SCHEMA}')
  ORDER BY 1`;

export async function readCatalog(client: Client): Promise<CatalogSnapshot> {
  const columns = await client.query<{
    schema: string;
    table: string;
    name: string;
    type: string;
    not_null: boolean;
    default: string | null;
    is_enum: boolean;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
            (t.typtype = 'e' OR EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typtype = 'e')) AS is_enum
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_SCHEMAS} AND c.relname <>
        '_prisma_migrations'
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
  const others = await client.query<{ key: string; def: string }>(OTHERS_SQL);
  return {
    columns: columns.rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      name: r.name,
      type: r.type,
      notNull: r.not_null,
      default: r.default,
      isEnum: r.is_enum,
    })),
    indexes: new Map(indexes.rows.map((r) => [r.key, r.def])),
    constraints: new Map(constraints.rows.map((r) => [r.key, r.def])),
    enums: new Map(enums.rows.map((r) => [r.key, r.labels])),
    others: new Map(others.rows.map((r) => [r.key, r.def])),
  };
}

function describeColumn(c: ColumnInfo): string {
  return (
    `column ${c.schema}.${c.table}.${c.name} ` +
    `${c.type}${c.notNull ? ' NOT NULL' : ''}${c.default === null ? '' : ` DEFAULT ${c.default}`}`
  );
}

interface CatalogLine {
  /**
   * The object it belongs to: `schema.table` for columns, indexes, constraints, triggers and policies; `schema.name`
   * otherwise.
   */
  readonly owner: string;
  readonly text: string;
}

const ownerOfDotted = (key: string): string => key.split('.').slice(0, 2).join('.');

export function catalogLines(s: CatalogSnapshot): CatalogLine[] {
  return [
    ...s.columns.map((c) => ({ owner: `${c.schema}.${c.table}`, text: describeColumn(c) })),
    ...[...s.indexes].map(([k, v]) => ({ owner: ownerOfDotted(k), text: `index ${k}: ${v}` })),
    ...[...s.constraints].map(([k, v]) => ({ owner: ownerOfDotted(k), text: `constraint ${k}: ${v}` })),
    ...[...s.enums].map(([k, v]) => ({ owner: k, text: `enum ${k}: ${v.join(', ')}` })),
    ...[...s.others].map(([k, v]) => {
      const [kindAndOwner = '', detail = ''] = k.split('|');
      const owner = kindAndOwner.slice(kindAndOwner.indexOf(' ') + 1);
      return { owner, text: `${kindAndOwner}${detail ? `(${detail})` : ''}: ${v.replace(/\s+/g, ' ').trim()}` };
    }),
  ];
}

/** Every line present on one side only; empty means identical. `owners` limits the comparison to those objects. */
export function diffCatalogs(
  expected: CatalogSnapshot,
  actual: CatalogSnapshot,
  owners?: ReadonlySet<string>,
): string[] {
  return diffLines(catalogLines(expected), catalogLines(actual), owners);
}

function diffLines(
  expected: readonly CatalogLine[],
  actual: readonly CatalogLine[],
  owners?: ReadonlySet<string>,
): string[] {
  const pick = (lines: readonly CatalogLine[]): Set<string> =>
    new Set(lines.filter((l) => !owners || owners.has(l.owner)).map((l) => l.text));
  const a = pick(expected);
  const b = pick(actual);
  return [
    ...[...a].filter((l) => !b.has(l)).map((l) => `missing: ${l}`),
    ...[...b].filter((l) => !a.has(l)).map((l) => `extra: ${l}`),
  ];
}

export function findColumn(
  snapshot: CatalogSnapshot,
  schema: string,
  table: string,
  name: string,
): ColumnInfo | undefined {
  return snapshot.columns.find((c) => c.schema === schema && c.table === table && c.name === name);
}
