/**
 * The shadow check with data: a bounded sample of the live rows of every
 * table the migration touched is copied into the shadow (which holds the
 * schema after the migration), under the live database's TimeZone. After the
 * inverse runs there, applying the migration's conversion to each kept value
 * must give back the live value, compared by primary key. Since that holds,
 * running the migration and then the inverse on the rolled-back rows is the
 * identity too: forward-then-inverse is proven on real values.
 */
import type { Client } from 'pg';
import type { TableRef } from '../../rollback/ports/schema';
import { qualified, quoteIdent } from '../sql/ast';
import { primaryKeyColumns } from './archive';
import type { ValueCheck } from './build-inverse';
import type { CatalogSnapshot } from './catalog';

const SAMPLE_ROWS = 1000;

export interface SampledTable {
  readonly table: TableRef;
  readonly rows: number;
}

const tableKey = (t: TableRef): string => `${t.schema}.${t.name}`;

async function insertRows(shadow: Client, table: TableRef, rowsJson: string): Promise<number> {
  const cols = await shadow.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND ` +
      `attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [qualified(table)],
  );
  const list = cols.rows.map((c) => quoteIdent(c.name)).join(', ');
  const r = await shadow.query(
    `INSERT INTO ${qualified(table)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} ` +
      `FROM json_populate_recordset(NULL::${qualified(table)}, $1::json) ON CONFLICT DO ` +
      `NOTHING`,
    [rowsJson],
  );
  return r.rowCount ?? 0;
}

/**
 * Copies up to SAMPLE_ROWS rows of each table (lowest primary keys first) from
 * live into the shadow, foreign-key triggers off (the sample's parents may be
 * elsewhere). `parents` are the foreign keys the inverse adds back: their
 * referenced rows are copied too, so re-adding them checks real references.
 */
export async function copySample(
  live: Client,
  shadow: Client,
  tables: readonly TableRef[],
  parents: readonly ForeignKey[],
): Promise<SampledTable[]> {
  const sampled: SampledTable[] = [];
  await shadow.query(`SET session_replication_role = replica`);
  try {
    for (const table of tables) {
      const keys = await primaryKeyColumns(live, table);
      const order = keys.length ? ` ORDER BY ${keys.map(quoteIdent).join(', ')}` : '';
      const r = await live.query<{ rows: string }>(
        `SELECT coalesce(json_agg(t), '[]')::text AS rows FROM (SELECT * FROM ` +
          `${qualified(table)}${order} LIMIT ${SAMPLE_ROWS}) t`,
      );
      sampled.push({ table, rows: await insertRows(shadow, table, r.rows[0]?.rows ?? '[]') });
    }
    for (const fk of parents) {
      const wanted = await shadow.query<{ k: string }>(
        `SELECT DISTINCT row(${fk.columns.map(quoteIdent).join(', ')})::text AS k FROM ` +
          `${qualified(fk.table)} WHERE ` +
          `${fk.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')}`,
      );
      if (wanted.rows.length === 0) continue;
      const r = await live.query<{ rows: string }>(
        `SELECT coalesce(json_agg(t), '[]')::text AS rows FROM ${qualified(fk.references)} ` +
          `t WHERE ` +
          `row(${fk.referencedColumns.map((c) => `t.${quoteIdent(c)}`).join(', ')})::text = ` +
          `ANY($1)`,
        [wanted.rows.map((w) => w.k)],
      );
      await insertRows(shadow, fk.references, r.rows[0]?.rows ?? '[]');
    }
  } finally {
    await shadow.query(`RESET session_replication_role`);
  }
  return sampled;
}

interface ForeignKey {
  readonly table: TableRef;
  readonly columns: string[];
  readonly references: TableRef;
  readonly referencedColumns: string[];
}

const identList = (text: string): string[] =>
  text.split(',').map((s) =>
    s
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replace(/""/g, '"'),
  );

/** The foreign keys among `constraintNames` (of the schema before the migration), read from their definitions. */
export function foreignKeysIn(
  before: CatalogSnapshot,
  added: readonly { table: TableRef; name: string }[],
): ForeignKey[] {
  const found: ForeignKey[] = [];
  for (const { table, name } of added) {
    const def = before.constraints.get(`${tableKey(table)}.${name}`);
    const m = def
      ? /^FOREIGN KEY \((.+?)\) REFERENCES (?:("?)([^".(]+|[^"]+)\2\.)?("?)([^"(]+|[^"]+)\4\((.+?)\)/.exec(def)
      : null;
    if (!m) continue;
    found.push({
      table,
      columns: identList(m[1] ?? ''),
      references: { schema: m[3] ?? table.schema, name: m[5] ?? '' },
      referencedColumns: identList(m[6] ?? ''),
    });
  }
  return found;
}

type Values = Map<string, Map<string, string | null>>;

/**
 * Per table, `row(primary key)::text -> column -> value::text`, for the checked columns; `side` picks names and
 * conversion.
 */
async function readValues(
  shadow: Client,
  checks: readonly ValueCheck[],
  side: 'after' | 'before',
  keysOf: Map<string, string[]>,
): Promise<Values> {
  const byTable = new Map<string, ValueCheck[]>();
  for (const c of checks) byTable.set(tableKey(c.after.table), [...(byTable.get(tableKey(c.after.table)) ?? []), c]);
  const values: Values = new Map();
  for (const [afterKey, list] of byTable) {
    const keys = keysOf.get(afterKey) ?? [];
    const keyChecks = keys.map((k) => list.find((c) => c.after.column === k));
    if (keys.length === 0 || keyChecks.some((c) => c === undefined)) continue;
    const expr = (c: ValueCheck): string =>
      side === 'after' ? quoteIdent(c.after.column) : c.forward(quoteIdent(c.before.column));
    const table = side === 'after' ? list[0]?.after.table : list[0]?.before.table;
    if (!table) continue;
    const r = await shadow.query<Record<string, string | null>>({
      text:
        `SELECT row(${(keyChecks as ValueCheck[]).map(expr).join(', ')})::text AS k, ` +
        `${list.map((c, i) => `(${expr(c)})::text AS c${i}`).join(', ')} FROM ` +
        `${qualified(table)}`,
      rowMode: 'array',
    } as never);
    const rows = new Map<string, string | null>();
    for (const row of r.rows as unknown as (string | null)[][]) {
      list.forEach((c, i) => rows.set(`${row[0] ?? ''}\u0000${c.after.column}`, row[i + 1] ?? null));
    }
    values.set(afterKey, rows);
  }
  return values;
}

interface ValueSnapshot {
  readonly values: Values;
  readonly keysOf: Map<string, string[]>;
}

/** The sampled values as the migration left them (before the inverse runs). */
export async function snapshotValues(shadow: Client, checks: readonly ValueCheck[]): Promise<ValueSnapshot> {
  const keysOf = new Map<string, string[]>();
  for (const c of checks) {
    const k = tableKey(c.after.table);
    if (!keysOf.has(k)) keysOf.set(k, await primaryKeyColumns(shadow, c.after.table));
  }
  return { values: await readValues(shadow, checks, 'after', keysOf), keysOf };
}

/** Differences between the live values and the migration's conversion of the rolled-back ones, by primary key. */
export async function compareValues(
  shadow: Client,
  checks: readonly ValueCheck[],
  snapshot: ValueSnapshot,
): Promise<string[]> {
  const now = await readValues(shadow, checks, 'before', snapshot.keysOf);
  const differences: string[] = [];
  for (const check of checks) {
    const k = tableKey(check.after.table);
    if (!snapshot.values.has(k)) {
      differences.push(
        `"${check.after.table.name}" has no primary key in the shadow, so its values were not compared.`,
      );
      continue;
    }
    const was = snapshot.values.get(k) as Map<string, string | null>;
    const is = now.get(k) ?? new Map<string, string | null>();
    const wrong: string[] = [];
    for (const [id, value] of was) {
      if (!id.endsWith(`\u0000${check.after.column}`)) continue;
      const got = is.has(id) ? is.get(id) : undefined;
      if (got !== value)
        wrong.push(
          `${id.split('\u0000')[0]}: ${value ?? 'NULL'} became ${got === undefined ? 'no row' : (got ?? 'NULL')}`,
        );
    }
    if (wrong.length > 0) {
      differences.push(
        `values of "${check.after.table.name}"."${check.after.column}" do not survive the ` +
          `inverse (${wrong.length} sampled row(s), e.g. ${wrong.slice(0, 3).join('; ')})`,
      );
    }
  }
  return [...new Set(differences)];
}
