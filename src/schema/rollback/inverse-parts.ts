/**
 * The pieces of the inverse shared by its builders: which names the
 * migration changed (the tracker), and the inverses of renames and drops.
 */
import type { InverseStep, TableRef } from '../../rollback/ports/schema';
import { type AstNode, asList, asNode, asString, child, qualified, quoteIdent, stringList } from '../sql/ast';
import type { CatalogSnapshot } from './catalog';

export interface Tracker {
  /** Current table key -> its name before the migration, or null when the migration created it. */
  readonly tables: Map<string, TableRef | null>;
  /** `table key.column` -> original column name, or null when created by the migration. */
  readonly columns: Map<string, string | null>;
  /** `original table key.original column` -> forward conversion of a type change. */
  readonly forwards: Map<string, (ref: string) => string>;
  readonly restored: { table: TableRef; name: string }[];
}

export const key = (t: TableRef): string => `${t.schema}.${t.name}`;

export function originalTable(tracker: Tracker, t: TableRef): TableRef | null {
  return tracker.tables.has(key(t)) ? (tracker.tables.get(key(t)) ?? null) : t;
}

export function originalColumn(tracker: Tracker, t: TableRef, column: string): string | null {
  const k = `${key(t)}.${column}`;
  return tracker.columns.has(k) ? (tracker.columns.get(k) ?? null) : column;
}

export function qualifiedName(names: string[]): string {
  return names.map(quoteIdent).join('.');
}

export type StepFn = (sql: string, archive?: InverseStep['archive']) => void;
export type CannotFn = (reason: string) => void;

export function invertRename(
  node: AstNode,
  rel: TableRef | undefined,
  tracker: Tracker,
  step: StepFn,
  cannot: CannotFn,
): void {
  const newName = asString(node.newname) ?? '';
  const subname = asString(node.subname) ?? '';
  switch (node.renameType) {
    case 'OBJECT_TABLE': {
      if (!rel) return;
      const renamed = { schema: rel.schema, name: newName };
      tracker.tables.set(key(renamed), originalTable(tracker, rel));
      step(`ALTER TABLE ${qualified(renamed)} RENAME TO ${quoteIdent(rel.name)}`);
      return;
    }
    case 'OBJECT_COLUMN':
      if (!rel) return;
      tracker.columns.set(`${key(rel)}.${newName}`, originalColumn(tracker, rel, subname));
      step(`ALTER TABLE ${qualified(rel)} RENAME COLUMN ${quoteIdent(newName)} TO ${quoteIdent(subname)}`);
      return;
    case 'OBJECT_INDEX':
      if (rel)
        step(`ALTER INDEX ${qualified({ schema: rel.schema, name: newName })} RENAME TO ${quoteIdent(rel.name)}`);
      return;
    case 'OBJECT_TABCONSTRAINT':
      if (rel) step(`ALTER TABLE ${qualified(rel)} RENAME CONSTRAINT ${quoteIdent(newName)} TO ${quoteIdent(subname)}`);
      return;
    case 'OBJECT_TYPE': {
      const names = stringList(child(asNode(node.object), 'List')?.items);
      const old = names[names.length - 1] ?? '';
      step(`ALTER TYPE ${qualifiedName([...names.slice(0, -1), newName])} RENAME TO ${quoteIdent(old)}`);
      return;
    }
    default: {
      const names = stringList(child(asNode(node.object), 'List')?.items);
      const old =
        rel?.name ?? names[names.length - 1] ?? asString(child(asNode(node.object), 'String')?.sval) ?? subname;
      const kind = String(node.renameType)
        .replace(/^OBJECT_/, '')
        .toLowerCase();
      cannot(
        `Renaming ${kind} "${old}" to "${newName}" is not undone automatically; rename it ` +
          `back by hand if the old code needs the old name.`,
      );
    }
  }
}

export function invertDrop(node: AstNode, before: CatalogSnapshot, step: StepFn, cannot: CannotFn): void {
  for (const object of asList(node.objects)) {
    const names = stringList(child(object, 'List')?.items);
    const name = names[names.length - 1] ?? stringList(child(object, 'TypeName')?.names).join('.');
    if (node.removeType === 'OBJECT_INDEX') {
      const schema = names.length > 1 ? (names[0] ?? 'public') : 'public';
      const def = [...before.indexes].find(([k]) => k.startsWith(`${schema}.`) && k.endsWith(`.${name}`))?.[1];
      if (def) step(def);
      else cannot(`The index "${name}" is not in the schema before the migration; nothing to restore.`);
    } else if (node.removeType === 'OBJECT_TABLE') {
      cannot(
        `The migration dropped table "${name}": its rows are gone and a rollback cannot ` +
          `bring them back (restore them from a backup).`,
      );
    } else {
      cannot(
        `The migration dropped ${String(node.removeType)
          .replace(/^OBJECT_/, '')
          .toLowerCase()} "${name}"; it is not recreated automatically.`,
      );
    }
  }
}

const bareTypeName = (t: string): string =>
  t
    .replace(/\[\]$/, '')
    .replace(/"/g, '')
    .replace(/^public\./, '');

/**
 * PostgreSQL cannot drop an enum label, but the type can be rebuilt without
 * it: renamed aside, created again with the earlier labels, every column
 * converted through text (a row still holding the label makes it fail, never
 * lose a value), the old type dropped. Then re-applying the migration's
 * `ADD VALUE` works again.
 */
export function rebuildEnum(typeName: readonly string[], labels: readonly string[], before: CatalogSnapshot): string[] {
  const name = typeName[typeName.length - 1] ?? '';
  const type = qualifiedName([...typeName]);
  const aside = qualifiedName([...typeName.slice(0, -1), `${name.slice(0, 40)}__rollback_old`]);
  const users = before.columns.filter((c) => c.isEnum && bareTypeName(c.type) === bareTypeName(typeName.join('.')));
  const sql = [
    `ALTER TYPE ${type} RENAME TO ${quoteIdent(`${name.slice(0, 40)}__rollback_old`)}`,
    `CREATE TYPE ${type} AS ENUM (${labels.map((l) => `'${l.replace(/'/g, "''")}'`).join(', ')})`,
  ];
  for (const c of users) {
    const table = qualified({ schema: c.schema, name: c.table });
    const col = quoteIdent(c.name);
    const array = c.type.endsWith('[]');
    if (c.default !== null) sql.push(`ALTER TABLE ${table} ALTER COLUMN ${col} DROP DEFAULT`);
    sql.push(
      `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${type}${array ? '[]' : ''} USING ` +
        `${col}::text${array ? '[]' : ''}::${type}${array ? '[]' : ''}`,
    );
    if (c.default !== null) sql.push(`ALTER TABLE ${table} ALTER COLUMN ${col} SET DEFAULT ${c.default}`);
  }
  sql.push(`DROP TYPE ${aside}`);
  return sql;
}
