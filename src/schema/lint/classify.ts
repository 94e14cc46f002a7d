/**
 * Classifies every statement of one migration file, in order, so that work
 * on a table created earlier in the same file counts as safe.
 */
import { asList, asString, child, relationKey, relationOf, stringList, unwrap } from '../sql/ast';
import type { ParsedStatement } from '../sql/parse-sql';
import { type FileContext, type RawFinding, type Rule, raw } from './rule';
import { checkAlterTable } from './rules/alter-table';
import { columnRules } from './rules/columns';
import { checkData } from './rules/data';
import { otherSafe, recreatedLater, unreviewed } from './rules/other';
import { checkDoBlock } from './do-block';
import { constraintRules } from './rules/constraints';
import { checkAlterEnum, enumRules } from './rules/enums';
import { checkCreateIndex, indexRules } from './rules/indexes';
import { checkCreateTable, checkRenameTable, checkTruncate, tableRules } from './rules/tables';

const HARMLESS = new Set([
  'CommentStmt',
  'CreateExtensionStmt',
  'CreateSchemaStmt',
  'CreateSeqStmt',
  'AlterSeqStmt',
  'CreateFunctionStmt',
  'CreateTrigStmt',
  'ViewStmt',
  'GrantStmt',
  'VariableSetStmt',
  'TransactionStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'SelectStmt',
  'CreatePolicyStmt',
]);

export function classifyStatement(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const node = statement.node;
  // Temporary tables live and die with the migration's session: not schema, no findings.
  const rangeVar = child(node, 'relation') ?? child(child(node, 'into'), 'rel');
  const relname = asString(rangeVar?.relname);
  if (relname !== undefined && rangeVar?.relpersistence === 't') context.tempTables.add(relname);
  if (relname !== undefined && context.tempTables.has(relname)) return [];
  if (
    statement.kind === 'DropStmt' &&
    node.removeType === 'OBJECT_TABLE' &&
    dropTargets(node.objects).every((t) => context.tempTables.has(t.split('.').pop() ?? t))
  )
    return [];
  switch (statement.kind) {
    case 'DoStmt':
      return checkDoBlock(statement, context, classifyStatement);
    case 'CreateStmt':
    case 'CreateTableAsStmt':
      return checkCreateTable(statement, context);
    case 'AlterTableStmt':
      return checkAlterTable(statement, context);
    case 'IndexStmt':
      return checkCreateIndex(statement, context);
    case 'TruncateStmt':
      return checkTruncate(statement);
    case 'DeleteStmt':
    case 'UpdateStmt':
    case 'InsertStmt':
      return checkData(statement);
    case 'CreateEnumStmt':
      return [raw(enumRules.createType, `create type "${stringList(node.typeName).join('.')}"`)];
    case 'AlterEnumStmt':
      return checkAlterEnum(statement);
    case 'RenameStmt':
      return checkRename(statement, context);
    case 'DropStmt':
      return checkDrop(statement, context);
    default:
      return [raw(HARMLESS.has(statement.kind) ? otherSafe : unreviewed, statement.kind)];
  }
}

/**
 * Foreign keys the file adds by name (`schema.table.constraint`), found before classifying so an earlier drop can be
 * seen as a replacement.
 */
export function foreignKeysAdded(statements: readonly ParsedStatement[]): Set<string> {
  const found = new Set<string>();
  for (const statement of statements) {
    if (statement.kind !== 'AlterTableStmt') continue;
    const rel = relationOf(child(statement.node, 'relation'));
    if (!rel) continue;
    for (const cmd of asList(statement.node.cmds).map((c) => child(c, 'AlterTableCmd') ?? {})) {
      const constraint = cmd.subtype === 'AT_AddConstraint' ? unwrap(cmd.def)?.body : undefined;
      const name = asString(constraint?.conname);
      if (constraint?.contype === 'CONSTR_FOREIGN' && name) found.add(`${relationKey(rel)}.${name}`);
    }
  }
  return found;
}

function checkRename(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const node = statement.node;
  const table = asString(child(node, 'relation')?.relname) ?? '?';
  const newName = asString(node.newname) ?? '?';
  switch (node.renameType) {
    case 'OBJECT_TABLE':
      return checkRenameTable(statement, context);
    case 'OBJECT_COLUMN': {
      const rel = relationOf(child(node, 'relation'));
      const oldName = asString(node.subname) ?? '?';
      if (rel && context.newTables.has(relationKey(rel))) {
        return [raw(columnRules.changeNewTable, `rename column "${oldName}" to "${newName}" on new table "${table}"`)];
      }
      if (rel) {
        const from = `${relationKey(rel)}.${oldName}`;
        const to = `${relationKey(rel)}.${newName}`;
        if (context.addedColumns.delete(from)) context.addedColumns.add(to);
        else context.renamedColumns.set(to, context.renamedColumns.get(from) ?? oldName);
      }
      return [raw(columnRules.renameColumn, `rename column "${table}"."${oldName}" to "${newName}"`)];
    }
    case 'OBJECT_INDEX':
      return [raw(indexRules.renameIndex, `rename index "${table}" to "${newName}"`)];
    case 'OBJECT_TABCONSTRAINT':
      return [raw(otherSafe, `rename constraint "${asString(node.subname) ?? '?'}" on "${table}"`)];
    case 'OBJECT_TYPE':
      return [raw(enumRules.renameType, `rename type to "${newName}"`)];
    default:
      return [raw(unreviewed, `rename (${String(node.renameType)})`)];
  }
}

function dropTargets(objects: unknown): string[] {
  return asList(objects).map((o) => {
    const items = stringList(child(o, 'List')?.items);
    if (items.length > 0) return items.join('.');
    const typeName = child(o, 'TypeName');
    return typeName ? stringList(typeName.names).join('.') : (asString(child(o, 'String')?.sval) ?? '?');
  });
}

/** Views, functions and triggers the file creates after `index`, as `kind:name`. */
function createdAfter(context: FileContext, index: number): Set<string> {
  const found = new Set<string>();
  for (const s of context.statements.slice(index + 1)) {
    if (s.kind === 'ViewStmt') found.add(`view:${asString(child(s.node, 'view')?.relname) ?? ''}`);
    if (s.kind === 'CreateFunctionStmt')
      found.add(
        `${s.node.is_procedure === true ? 'procedure' : 'function'}:${stringList(s.node.funcname).pop() ?? ''}`,
      );
    if (s.kind === 'CreateTrigStmt') found.add(`trigger:${asString(s.node.trigname) ?? ''}`);
  }
  return found;
}

/**
 * Types renamed earlier in the file (Prisma's enum change: rename to _old, create the new, move columns, drop the old).
 */
function renamedTypesBefore(context: FileContext, index: number): Set<string> {
  return new Set(
    context.statements
      .slice(0, index)
      .filter((s) => s.kind === 'RenameStmt' && s.node.renameType === 'OBJECT_TYPE')
      .map((s) => asString(s.node.newname) ?? ''),
  );
}

function checkDrop(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const node = statement.node;
  const targets = dropTargets(node.objects);
  const kind = String(node.removeType)
    .replace(/^OBJECT_/, '')
    .toLowerCase();
  const recreated = createdAfter(context, statement.index);
  const renamedTypes = renamedTypesBefore(context, statement.index);
  const each = (rule: Rule, verb: string): RawFinding[] =>
    targets.map((target) => {
      const parts = target.split('.');
      const name = parts[parts.length - 1] ?? target;
      if (recreated.has(`${kind}:${name}`))
        return raw(recreatedLater, `${verb} "${target}" (created again later in the file)`);
      if (node.removeType === 'OBJECT_TYPE' && renamedTypes.has(name))
        return raw(enumRules.dropReplacedType, `${verb} "${target}" (renamed aside earlier in the file)`);
      if (node.removeType === 'OBJECT_INDEX' && /_(p)?key$/.test(name))
        return raw(
          constraintRules.dropConstraint,
          `drop unique index "${target}" (removes a uniqueness, like DROP CONSTRAINT)`,
        );
      const schema = parts.length > 1 ? (parts[0] ?? 'public') : 'public';
      const question =
        rule === tableRules.dropTable ? { kind: 'table-rows' as const, table: { schema, name } } : undefined;
      return raw(rule, `${verb} "${target}"`, question);
    });
  switch (node.removeType) {
    case 'OBJECT_TABLE':
      return each(tableRules.dropTable, 'drop table');
    case 'OBJECT_SCHEMA':
      return each(tableRules.dropSchema, 'drop schema');
    case 'OBJECT_INDEX':
      return each(node.concurrent === true ? indexRules.safeIndex : indexRules.blockingDropIndex, 'drop index');
    case 'OBJECT_TYPE':
    case 'OBJECT_DOMAIN':
      return each(enumRules.dropType, 'drop type');
    case 'OBJECT_EXTENSION':
      return each(tableRules.dropObject, 'drop extension');
    default:
      return each(
        tableRules.dropObject,
        `drop ${String(node.removeType)
          .replace(/^OBJECT_/, '')
          .toLowerCase()}`,
      );
  }
}
