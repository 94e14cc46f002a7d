/**
 * Derives the inverse of one migration, statement by statement, from its
 * parse tree and the schema as it was before it (read from the shadow
 * database). What cannot be inverted is listed, never guessed. ALTER TABLE
 * statements are inverted in invert-alter-table.ts.
 */
import type { InverseStep, IrreversibleItem, TableRef } from '../../rollback/ports/schema';
import { type AstNode, asList, asString, child, qualified, quoteLiteral, relationOf, stringList } from '../sql/ast';
import type { ParsedStatement } from '../sql/parse-sql';
import { findColumn } from './catalog';
import {
  type Tracker,
  invertDrop,
  invertRename,
  rebuildEnum,
  key,
  originalColumn,
  originalTable,
  qualifiedName,
} from './inverse-parts';
import { type InverseContext, type NotNullCheck, invertAlterTable } from './invert-alter-table';

export interface InversePlan {
  /** In execution order: the migration's statements undone last to first. */
  readonly steps: InverseStep[];
  readonly irreversible: IrreversibleItem[];
  /** SET NOT NULL steps: they fail if new code wrote nulls since. */
  readonly notNullChecks: NotNullCheck[];
  /**
   * Every object the migration names (`schema.name`, before and after renames): what execution re-checks in its
   * transaction.
   */
  readonly owners: Set<string>;
  /** Columns kept through the rollback, with the forward conversion to check values against. */
  readonly valueChecks: ValueCheck[];
  /** Tables only the migration's session could see (CREATE TEMP TABLE): not schema. */
  readonly temporary: Set<string>;
  /** Constraints the inverse adds back (the migration dropped them). */
  readonly restoredConstraints: { readonly table: TableRef; readonly name: string }[];
}

export interface ValueCheck {
  readonly after: { readonly table: TableRef; readonly column: string };
  readonly before: { readonly table: TableRef; readonly column: string };
  /** SQL giving the value the migration would make of the rolled-back value `ref`. */
  readonly forward: (ref: string) => string;
}

/** Statements that change nothing a rollback could undo: transaction control, locks, settings. */
const NOT_CHANGES = new Set(['TransactionStmt', 'LockStmt', 'VariableSetStmt', 'VariableShowStmt']);

function tablesDroppedIn(statements: readonly ParsedStatement[]): Set<string> {
  const dropped = new Set<string>();
  for (const s of statements) {
    if (s.kind !== 'DropStmt' || s.node.removeType !== 'OBJECT_TABLE') continue;
    for (const object of asList(s.node.objects)) {
      const names = stringList(child(object, 'List')?.items);
      const name = names[names.length - 1];
      if (name) dropped.add(`${names.length > 1 ? names[0] : 'public'}.${name}`);
    }
  }
  return dropped;
}

export function buildInverse(statements: readonly ParsedStatement[], context: InverseContext): InversePlan {
  const { before } = context;
  const tracker: Tracker = { tables: new Map(), columns: new Map(), forwards: new Map(), restored: [] };
  const perStatement: InverseStep[][] = [];
  const irreversible: IrreversibleItem[] = [];
  const notNullChecks: NotNullCheck[] = [];
  const owners = new Set<string>();
  const temporary = new Set<string>();
  const droppedTables = tablesDroppedIn(statements);
  /** Labels of enums as earlier statements of the file left them. */
  const enumLabels = new Map<string, readonly string[]>();

  for (const statement of statements) {
    const steps: InverseStep[] = [];
    const step = (sql: string, archive?: InverseStep['archive']): void => {
      steps.push(
        archive
          ? { sql, undoes: statement.text, line: statement.line, archive }
          : { sql, undoes: statement.text, line: statement.line },
      );
    };
    const cannot = (reason: string): void => {
      irreversible.push({ statement: statement.text, line: statement.line, reason });
    };
    const node = statement.node;
    const rangeVar = child(node, 'relation') ?? child(child(node, 'into'), 'rel');
    const rel = relationOf(rangeVar);
    if (NOT_CHANGES.has(statement.kind)) continue;
    if (rel && rangeVar?.relpersistence === 't') temporary.add(rel.name);
    // A temporary table lives and dies with the migration's session: nothing of it is schema.
    if (rel && temporary.has(rel.name)) continue;
    if (
      statement.kind === 'DropStmt' &&
      node.removeType === 'OBJECT_TABLE' &&
      asList(node.objects).every((o) => temporary.has(stringList(child(o, 'List')?.items).at(-1) ?? ''))
    )
      continue;
    if (rel) {
      owners.add(key(rel));
      const origin = originalTable(tracker, rel);
      if (origin) owners.add(key(origin));
    }
    for (const name of namedTypes(node)) owners.add(name);

    switch (statement.kind) {
      case 'CreateStmt':
      case 'CreateTableAsStmt':
        if (!rel) break;
        tracker.tables.set(key(rel), null);
        step(`DROP TABLE ${qualified(rel)}`, { kind: 'table', table: rel });
        break;
      case 'IndexStmt': {
        const name = asString(node.idxname);
        if (name && rel) step(`DROP INDEX ${qualified({ schema: rel.schema, name })}`);
        else cannot('The index has no name in the migration, so the inverse cannot name it; drop it by hand.');
        break;
      }
      case 'CreateEnumStmt':
        step(`DROP TYPE ${qualifiedName(stringList(node.typeName))}`);
        break;
      case 'AlterEnumStmt': {
        const oldVal = asString(node.oldVal);
        const newVal = asString(node.newVal) ?? '';
        if (oldVal !== undefined)
          step(
            `ALTER TYPE ${qualifiedName(stringList(node.typeName))} RENAME VALUE ` +
              `${quoteLiteral(newVal)} TO ${quoteLiteral(oldVal)}`,
          );
        else {
          const names = stringList(node.typeName);
          const enumKey = names.length > 1 ? names.slice(-2).join('.') : `public.${names[0] ?? ''}`;
          const labels = enumLabels.get(enumKey) ?? before.enums.get(enumKey);
          // IF NOT EXISTS of a label that was there already changed nothing.
          if (labels && !labels.includes(newVal)) {
            // A statement's steps are run last to first: pushed reversed, the rebuild runs in order.
            for (const sql of rebuildEnum(names, labels, before).reverse()) step(sql);
            enumLabels.set(
              enumKey,
              withLabel(labels, newVal, asString(node.newValNeighbor), node.newValIsAfter !== false),
            );
          }
        }
        break;
      }
      case 'RenameStmt':
        invertRename(node, rel, tracker, step, cannot);
        if (node.renameType === 'OBJECT_TABLE' && rel)
          owners.add(key({ schema: rel.schema, name: asString(node.newname) ?? '' }));
        break;
      case 'AlterTableStmt':
        if (!rel) break;
        if (droppedTables.has(key(rel))) {
          cannot(
            `"${rel.name}" is dropped later in this migration, so this change to it cannot be ` +
              `undone on its own (the table is gone).`,
          );
          break;
        }
        invertAlterTable(node, rel, tracker, context, step, cannot, notNullChecks);
        break;
      case 'DropStmt':
        invertDrop(node, before, step, cannot);
        break;
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'TruncateStmt':
        cannot('A data change: the schema rollback cannot undo it; repair the data with a reviewed script if needed.');
        break;
      default:
        cannot(
          `Not undone automatically (${statement.kind}); it stays in place. Undo it by hand ` +
            `if the old code cannot live with it.`,
        );
    }
    perStatement.push(steps);
  }
  const steps = perStatement.reverse().flatMap((s) => s.reverse());
  return {
    steps,
    irreversible,
    notNullChecks,
    owners,
    valueChecks: valueChecks(tracker, context, owners),
    temporary,
    restoredConstraints: tracker.restored,
  };
}

function withLabel(labels: readonly string[], label: string, neighbour: string | undefined, after: boolean): string[] {
  const at = neighbour === undefined ? labels.length : labels.indexOf(neighbour) + (after ? 1 : 0);
  return [...labels.slice(0, at), label, ...labels.slice(at)];
}

/** Types a statement names (CREATE/ALTER/DROP TYPE), as `schema.name`. */
function namedTypes(node: AstNode): string[] {
  const asKey = (names: string[]): string =>
    names.length > 1 ? names.slice(-2).join('.') : `public.${names[0] ?? ''}`;
  const found: string[] = [];
  if (node.typeName !== undefined && Array.isArray(node.typeName)) found.push(asKey(stringList(node.typeName)));
  if (node.removeType === 'OBJECT_TYPE')
    for (const o of asList(node.objects)) found.push(asKey(stringList(child(o, 'TypeName')?.names)));
  return found;
}

/**
 * Every column of a table the migration touched that exists before and after it, with the forward conversion of its
 * values.
 */
function valueChecks(tracker: Tracker, context: InverseContext, owners: ReadonlySet<string>): ValueCheck[] {
  const checks: ValueCheck[] = [];
  for (const c of context.after.columns) {
    const table = { schema: c.schema, name: c.table };
    if (!owners.has(key(table))) continue;
    const origin = originalTable(tracker, table);
    const column = origin ? originalColumn(tracker, table, c.name) : null;
    if (!origin || !column || !findColumn(context.before, origin.schema, origin.name, column)) continue;
    checks.push({
      after: { table, column: c.name },
      before: { table: origin, column },
      forward: tracker.forwards.get(`${key(origin)}.${column}`) ?? ((ref) => ref),
    });
  }
  return checks;
}
