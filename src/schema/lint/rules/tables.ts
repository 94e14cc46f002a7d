/** Whole tables and schemas: create, drop, truncate, rename. */
import { asList, asNode, asString, child, relationKey, relationOf, stringList, unwrap } from '../../sql/ast';
import type { ParsedStatement } from '../../sql/parse-sql';
import { type FileContext, type RawFinding, type Rule, raw } from '../rule';

export const tableRules = {
  createTable: {
    id: 'create-table',
    severity: 'safe',
    why: 'A new table is not read or written by the code already running.',
    fix: 'Nothing to do.',
  },
  dropTable: {
    id: 'drop-table',
    severity: 'dangerous',
    why: 'Every row in the table is lost, and running code that reads or writes it fails at once.',
    fix:
      'Two phases: first deploy code that no longer uses the table (keep the table), ' +
      'then drop it in a later migration once no deployed version reads it and its data ' +
      'is archived.',
  },
  truncate: {
    id: 'truncate',
    severity: 'dangerous',
    why: 'TRUNCATE deletes every row and cannot be undone by a schema rollback.',
    fix:
      'Do not delete data in a migration; archive it first and delete with a reviewed ' +
      'data script after the deploy is verified.',
  },
  renameTable: {
    id: 'rename-table',
    severity: 'dangerous',
    why: 'Code still running uses the old name and fails as soon as the rename commits.',
    fix:
      'Two phases: create the new table (or a view with the new name), write to both ' +
      'and copy the data, switch the code, then drop the old table in a later ' +
      'migration.',
  },
  jsonType: {
    id: 'json-type',
    severity: 'warning',
    why:
      '`json` stores text and re-parses it on every read, cannot be indexed with GIN, ' +
      'and compares badly; `jsonb` is what Prisma uses by default.',
    fix: 'Use `jsonb` (Prisma: `Json` without `@db.Json`).',
  },
  dropSchema: {
    id: 'drop-schema',
    severity: 'dangerous',
    why: 'Dropping a schema drops every table, type and function in it together with their data.',
    fix: 'Move what is still needed out first and drop the schema in a later, reviewed migration.',
  },
  dropObject: {
    id: 'drop-object',
    severity: 'dangerous',
    why: 'Running code may still use the view, function, sequence or trigger being dropped.',
    fix: 'Two phases: first deploy code that no longer uses it, then drop it in a later migration.',
  },
} satisfies Record<string, Rule>;

export function isJsonType(typeName: unknown): boolean {
  const names = stringList(asNode(typeName)?.names);
  return names[names.length - 1] === 'json';
}

function jsonColumns(statement: ParsedStatement): string[] {
  return asList(statement.node.tableElts)
    .map((element) => unwrap(element))
    .filter((e) => e?.kind === 'ColumnDef' && isJsonType(e.body.typeName))
    .map((e) => asString(e?.body.colname) ?? '?');
}

export function checkCreateTable(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const rel = relationOf(child(statement.node, 'relation') ?? child(child(statement.node, 'into'), 'rel'));
  if (rel) context.newTables.add(relationKey(rel));
  const name = rel ? rel.name : 'table';
  const findings = [raw(tableRules.createTable, `create table "${name}"`)];
  for (const column of statement.kind === 'CreateStmt' ? jsonColumns(statement) : []) {
    findings.push(raw(tableRules.jsonType, `column "${name}"."${column}" is json`));
  }
  return findings;
}

export function checkTruncate(statement: ParsedStatement): RawFinding[] {
  return asList(statement.node.relations).map((r) => {
    const rel = relationOf(child(r, 'RangeVar'));
    const name = rel?.name ?? '?';
    return rel
      ? raw(tableRules.truncate, `truncate "${name}"`, { kind: 'table-rows', table: rel })
      : raw(tableRules.truncate, 'truncate');
  });
}

export function checkRenameTable(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const rel = relationOf(child(statement.node, 'relation'));
  const newName = asString(statement.node.newname) ?? '?';
  if (rel && context.newTables.has(relationKey(rel))) {
    context.newTables.add(relationKey({ schema: rel.schema, name: newName }));
    return [raw(tableRules.createTable, `rename new table "${rel.name}" to "${newName}"`)];
  }
  return [raw(tableRules.renameTable, `rename table "${rel?.name ?? '?'}" to "${newName}"`)];
}
