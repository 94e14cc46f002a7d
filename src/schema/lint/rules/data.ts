/** Data changes inside a migration. */
import { asList, asString, child, relationOf } from '../../sql/ast';
import type { ParsedStatement } from '../../sql/parse-sql';
import { type RawFinding, type Rule, raw } from '../rule';

export const dataRules = {
  deleteRows: {
    id: 'delete-rows',
    severity: 'dangerous',
    why: 'Deleted rows are gone; a schema rollback cannot bring them back.',
    fix:
      'Archive the rows first, and delete them with a reviewed data script after the ' +
      'deploy is verified rather than in the migration.',
  },
  updateRows: {
    id: 'update-in-migration',
    severity: 'warning',
    why:
      'An UPDATE in a migration locks every row it touches for the whole migration ' +
      'transaction and cannot be undone by a schema rollback.',
    fix: "Backfill in batches outside the migration (the runbook's phase 2), after the new column exists.",
  },
  updateSetNull: {
    id: 'update-set-null',
    severity: 'dangerous',
    why: 'Setting a column to NULL on existing rows erases its values: data loss a schema rollback cannot undo.',
    fix:
      'Archive the values first, and clear them with a reviewed data script after the ' +
      'deploy is verified rather than in the migration.',
  },
  insertFromSelect: {
    id: 'insert-from-select',
    severity: 'warning',
    why:
      'INSERT ... SELECT copies rows derived from live tables inside the migration ' +
      'transaction: it reads (and may lock) whole tables, and a schema rollback cannot ' +
      'undo the rows it adds.',
    fix: "Backfill in batches outside the migration (the runbook's phase 2), after the schema change has shipped.",
  },
  insertRows: {
    id: 'insert-rows',
    severity: 'safe',
    why: 'Inserting seed rows does not affect the code already running.',
    fix: 'Nothing to do.',
  },
} satisfies Record<string, Rule>;

export function checkData(statement: ParsedStatement): RawFinding[] {
  const rel = relationOf(child(statement.node, 'relation'));
  const name = rel?.name ?? '?';
  if (statement.kind === 'DeleteStmt') {
    // The figure is the rows the WHERE matches; with USING or RETURNING the text after WHERE is not a plain condition.
    const plain =
      statement.node.whereClause !== undefined &&
      statement.node.usingClause === undefined &&
      statement.node.returningList === undefined;
    const where = plain ? /\bWHERE\b([\s\S]*)$/i.exec(statement.text)?.[1]?.trim().replace(/;$/, '') : undefined;
    const question = rel
      ? where
        ? { kind: 'matching-rows' as const, table: rel, where }
        : { kind: 'table-rows' as const, table: rel }
      : undefined;
    return [raw(dataRules.deleteRows, `delete from "${name}"`, question)];
  }
  if (statement.kind === 'UpdateStmt') {
    const cleared = asList(statement.node.targetList)
      .map((t) => child(t, 'ResTarget') ?? {})
      .filter((t) => child(child(t, 'val'), 'A_Const')?.isnull === true)
      .map((t) => asString(t.name) ?? '?');
    if (rel && cleared.length > 0)
      return cleared.map((column) =>
        raw(dataRules.updateSetNull, `update "${name}" set "${column}" = NULL`, {
          kind: 'column-values',
          table: rel,
          column,
        }),
      );
    return [raw(dataRules.updateRows, `update "${name}"`)];
  }
  const select = child(child(statement.node, 'selectStmt'), 'SelectStmt');
  if (asList(select?.fromClause).length > 0)
    return [raw(dataRules.insertFromSelect, `insert into "${name}" from a query`)];
  return [raw(dataRules.insertRows, `insert into "${name}"`)];
}
