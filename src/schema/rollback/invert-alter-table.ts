/**
 * The inverse of one ALTER TABLE statement, action by action (add or drop a
 * column or constraint, type, NOT NULL and default changes), checked against
 * the schema before the migration.
 */
import type { TableRef } from '../../rollback/ports/schema';
import { type AstNode, asList, asNode, asString, child, qualified, quoteIdent, unwrap } from '../sql/ast';
import { type CatalogSnapshot, findColumn } from './catalog';
import { type CannotFn, type StepFn, type Tracker, key, originalColumn, originalTable } from './inverse-parts';
import { invertTypeChange } from './type-change';

export interface NotNullCheck {
  readonly table: TableRef;
  readonly column: string;
}

export interface InverseContext {
  /** The schema before the migration (shadow). */
  readonly before: CatalogSnapshot;
  /** The schema after it (shadow). */
  readonly after: CatalogSnapshot;
  /** The live database's TimeZone. */
  readonly liveTimeZone: string;
}

export function invertAlterTable(
  node: AstNode,
  rel: TableRef,
  tracker: Tracker,
  context: InverseContext,
  step: StepFn,
  cannot: CannotFn,
  notNullChecks: NotNullCheck[],
): void {
  const { before } = context;
  const table = qualified(rel);
  const origin = originalTable(tracker, rel);
  for (const cmd of asList(node.cmds).map((c) => child(c, 'AlterTableCmd') ?? {})) {
    const column = asString(cmd.name) ?? '';
    const col = quoteIdent(column);
    const originalName = origin ? originalColumn(tracker, rel, column) : null;
    const old = origin && originalName ? findColumn(before, origin.schema, origin.name, originalName) : undefined;
    const createdHere = !old;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const added = asString(child(asNode(cmd.def), 'ColumnDef')?.colname) ?? '';
        tracker.columns.set(`${key(rel)}.${added}`, null);
        step(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(added)}`, { kind: 'column', table: rel, column: added });
        break;
      }
      case 'AT_DropColumn':
        cannot(
          `The migration dropped "${rel.name}"."${column}": its values are gone and a ` +
            `rollback cannot bring them back (restore them from a backup).`,
        );
        break;
      case 'AT_AlterColumnType': {
        if (createdHere) break;
        const now = findColumn(context.after, rel.schema, rel.name, column);
        if (!now) break;
        const def = child(asNode(cmd.def), 'ColumnDef');
        const inverse = invertTypeChange({
          column,
          oldType: old.type,
          newType: now.type,
          oldIsEnum: old.isEnum,
          newIsEnum: now.isEnum,
          using: asNode(def?.raw_default),
          liveTimeZone: context.liveTimeZone,
        });
        if (!inverse.ok) {
          cannot(inverse.reason);
          break;
        }
        if (origin && originalName) tracker.forwards.set(`${key(origin)}.${originalName}`, inverse.forward);
        if (inverse.clause)
          step(`ALTER TABLE ${table} ALTER COLUMN ${col} ${inverse.clause}`, { kind: 'column', table: rel, column });
        break;
      }
      case 'AT_SetNotNull':
        if (!createdHere && !old.notNull) step(`ALTER TABLE ${table} ALTER COLUMN ${col} DROP NOT NULL`);
        break;
      case 'AT_DropNotNull':
        if (createdHere || !old.notNull) break;
        notNullChecks.push({ table: rel, column });
        step(`ALTER TABLE ${table} ALTER COLUMN ${col} SET NOT NULL`);
        break;
      case 'AT_ColumnDefault':
        if (createdHere) break;
        step(
          `ALTER TABLE ${table} ALTER COLUMN ${col} ` +
            `${old.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${old.default}`}`,
        );
        break;
      case 'AT_AddConstraint': {
        const name = asString(unwrap(cmd.def)?.body.conname);
        if (name) step(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(name)}`);
        else cannot('The constraint has no name in the migration, so the inverse cannot name it; drop it by hand.');
        break;
      }
      case 'AT_DropConstraint': {
        const def = origin ? before.constraints.get(`${origin.schema}.${origin.name}.${column}`) : undefined;
        if (def && origin) tracker.restored.push({ table: origin, name: column });
        if (def) step(`ALTER TABLE ${table} ADD CONSTRAINT ${col} ${def}`);
        else cannot(`The constraint "${column}" did not exist before the migration; nothing to restore.`);
        break;
      }
      case 'AT_ValidateConstraint':
        break;
      default:
        cannot(`ALTER TABLE action ${String(cmd.subtype)} is not undone automatically.`);
    }
  }
}
