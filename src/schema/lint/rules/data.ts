/** Data changes inside a migration. */
import { child, relationOf } from '../../sql/ast';
import type { ParsedStatement } from '../../sql/parse-sql';
import { type RawFinding, type Rule, raw } from '../rule';

export const dataRules = {
  deleteRows: {
    id: 'delete-rows',
    severity: 'dangerous',
    why: 'Deleted rows are gone; a schema rollback cannot bring them back.',
    fix: 'Archive the rows first, and delete them with a reviewed data script after the deploy is verified rather than in the migration.',
  },
  updateRows: {
    id: 'update-in-migration',
    severity: 'warning',
    why: 'An UPDATE in a migration locks every row it touches for the whole migration transaction and cannot be undone by a schema rollback.',
    fix: 'Backfill in batches outside the migration (the runbook\'s phase 2), after the new column exists.',
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
  if (statement.kind === 'DeleteStmt') return [raw(dataRules.deleteRows, `delete from "${name}"`, rel ? { kind: 'table-rows', table: rel } : undefined)];
  if (statement.kind === 'UpdateStmt') return [raw(dataRules.updateRows, `update "${name}"`)];
  return [raw(dataRules.insertRows, `insert into "${name}"`)];
}
