/** Walks the actions of one ALTER TABLE and hands each to its rule group. */
import {
  type AstNode,
  type RelationName,
  asList,
  asNode,
  asString,
  child,
  relationKey,
  relationOf,
  unwrap,
} from '../../sql/ast';
import { type ParsedStatement, scanTokens } from '../../sql/parse-sql';
import { type FileContext, type LiveQuestion, type RawFinding, raw } from '../rule';
import { checkAddColumn, columnRules } from './columns';
import { checkAddConstraint, constraintRules } from './constraints';

export function checkAlterTable(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const table = relationOf(child(statement.node, 'relation'));
  if (!table) return [];
  const cmds = asList(statement.node.cmds).map((c) => child(c, 'AlterTableCmd') ?? {});
  if (context.newTables.has(relationKey(table))) {
    return cmds.map((cmd) => raw(columnRules.changeNewTable, `${describe(cmd)} on new table "${table.name}"`));
  }
  let checks: string[] | undefined;
  const findings: RawFinding[] = [];
  for (const cmd of cmds) {
    const column = asString(cmd.name) ?? '?';
    const subject = `${describe(cmd)} "${table.name}"."${column}"`;
    const live = liveColumn(context, table, column);
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = child(asNode(cmd.def), 'ColumnDef') ?? {};
        context.addedColumns.add(`${relationKey(table)}.${asString(def.colname) ?? '?'}`);
        findings.push(...checkAddColumn(def, table));
        break;
      }
      case 'AT_DropColumn':
        findings.push(
          raw(
            columnRules.dropColumn,
            subject,
            ask(live, (c) => ({ kind: 'column-values', table, column: c })),
          ),
        );
        break;
      case 'AT_AlterColumnType':
        findings.push(
          raw(
            columnRules.alterType,
            subject,
            ask(live, (c) => ({ kind: 'column-values', table, column: c })),
          ),
        );
        break;
      case 'AT_SetNotNull':
        findings.push(
          raw(
            columnRules.setNotNull,
            subject,
            ask(live, (c) => ({ kind: 'nulls', table, column: c })),
          ),
        );
        break;
      case 'AT_DropNotNull':
        findings.push(raw(columnRules.dropNotNull, subject));
        break;
      case 'AT_ColumnDefault':
        if (cmd.def === undefined && defaultSetLater(statement, context, table, column))
          findings.push(raw(columnRules.setDefault, `${subject} (set again later in the file)`));
        else findings.push(raw(cmd.def === undefined ? columnRules.dropDefault : columnRules.setDefault, subject));
        break;
      case 'AT_AddConstraint': {
        const constraint = unwrap(cmd.def)?.body ?? {};
        // Scanning is as costly as parsing, so only statements that add a CHECK pay for it.
        if (constraint.contype === 'CONSTR_CHECK') checks ??= checkExpressions(statement.text);
        const expression = constraint.contype === 'CONSTR_CHECK' ? checks?.shift() : undefined;
        findings.push(...checkAddConstraint(constraint, table, expression));
        break;
      }
      case 'AT_DropConstraint':
        findings.push(
          context.addedForeignKeys.has(`${relationKey(table)}.${column}`)
            ? raw(
                constraintRules.replaceForeignKey,
                `drop foreign key "${column}" on "${table.name}" to re-add it in this migration`,
              )
            : raw(constraintRules.dropConstraint, `drop constraint "${column}" on "${table.name}"`),
        );
        break;
      case 'AT_ValidateConstraint':
        findings.push(raw(constraintRules.validate, `validate constraint "${column}" on "${table.name}"`));
        break;
      default:
        findings.push(raw(columnRules.unreviewedAlter, subject));
    }
  }
  return findings;
}

/** The column's name in the live database, or undefined when this file added it (nothing live to ask about). */
function liveColumn(context: FileContext, table: RelationName, column: string): string | undefined {
  const key = `${relationKey(table)}.${column}`;
  if (context.addedColumns.has(key)) return undefined;
  return context.renamedColumns.get(key) ?? column;
}

function ask(column: string | undefined, question: (column: string) => LiveQuestion): LiveQuestion | undefined {
  return column === undefined ? undefined : question(column);
}

function describe(cmd: AstNode): string {
  const subtype = asString(cmd.subtype) ?? 'AT_Unknown';
  return subtype
    .replace(/^AT_/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** Source text of each CHECK (...) in the statement, in order, found with the SQL scanner. */
function checkExpressions(text: string): string[] {
  const tokens = scanTokens(text);
  const buffer = Buffer.from(text, 'utf8');
  const found: string[] = [];
  tokens.forEach((token, index) => {
    if (token.keywordName === 'NO_KEYWORD' || token.text.toUpperCase() !== 'CHECK') return;
    const open = tokens[index + 1];
    if (!open || open.text !== '(') return;
    let depth = 0;
    for (let i = index + 1; i < tokens.length; i += 1) {
      const t = tokens[i];
      if (!t) break;
      if (t.text === '(') depth += 1;
      if (t.text === ')') depth -= 1;
      if (depth === 0) {
        found.push(buffer.subarray(open.end, t.start).toString('utf8').trim());
        return;
      }
    }
  });
  return found;
}

/** A later statement of the file sets a default on the same column again. */
function defaultSetLater(
  statement: ParsedStatement,
  context: FileContext,
  table: RelationName,
  column: string,
): boolean {
  return context.statements.slice(statement.index + 1).some((later) => {
    if (later.kind !== 'AlterTableStmt') return false;
    const rel = relationOf(child(later.node, 'relation'));
    if (!rel || relationKey(rel) !== relationKey(table)) return false;
    return asList(later.node.cmds).some((c) => {
      const cmd = child(c, 'AlterTableCmd') ?? {};
      return cmd.subtype === 'AT_ColumnDefault' && cmd.name === column && cmd.def !== undefined;
    });
  });
}
