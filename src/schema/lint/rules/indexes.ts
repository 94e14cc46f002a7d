/** CREATE / DROP INDEX. */
import { asList, asString, child, relationKey, relationOf } from '../../sql/ast';
import type { ParsedStatement } from '../../sql/parse-sql';
import { type FileContext, type LiveQuestion, type RawFinding, type Rule, raw } from '../rule';

export const indexRules = {
  blockingIndex: {
    id: 'create-index-blocking',
    severity: 'warning',
    why: 'CREATE INDEX without CONCURRENTLY blocks every write to the table until the index is built.',
    fix: 'CREATE INDEX CONCURRENTLY, in a migration of its own (it cannot run inside a transaction).',
  },
  safeIndex: {
    id: 'create-index',
    severity: 'safe',
    why: 'The index is built concurrently or on a table created in this migration.',
    fix: 'Nothing to do.',
  },
  blockingDropIndex: {
    id: 'drop-index-blocking',
    severity: 'warning',
    why:
      'DROP INDEX without CONCURRENTLY takes an exclusive lock on the table, and ' +
      'queries that used the index slow down.',
    fix: 'DROP INDEX CONCURRENTLY in a migration of its own, after checking no query plan depends on it.',
  },
  renameIndex: {
    id: 'rename-index',
    severity: 'safe',
    why: 'Index names are not used by application code.',
    fix: 'Nothing to do.',
  },
} satisfies Record<string, Rule>;

export function checkCreateIndex(statement: ParsedStatement, context: FileContext): RawFinding[] {
  const rel = relationOf(child(statement.node, 'relation'));
  const name = asString(statement.node.idxname) ?? '(unnamed)';
  const subject = `create index "${name}" on "${rel?.name ?? '?'}"`;
  if (rel && context.newTables.has(relationKey(rel))) return [raw(indexRules.safeIndex, subject)];
  const question = rel ? uniqueQuestion(statement, rel) : undefined;
  return [raw(statement.node.concurrent === true ? indexRules.safeIndex : indexRules.blockingIndex, subject, question)];
}

/**
 * A unique index fails on duplicates already in the table: ask the live data, when the key is plain columns over every
 * row.
 */
function uniqueQuestion(
  statement: ParsedStatement,
  table: NonNullable<ReturnType<typeof relationOf>>,
): LiveQuestion | undefined {
  if (statement.node.unique !== true || statement.node.whereClause !== undefined) return undefined;
  const columns = asList(statement.node.indexParams).map((p) => asString(child(p, 'IndexElem')?.name));
  if (columns.length === 0 || columns.some((c) => c === undefined)) return undefined;
  return { kind: 'duplicates', table, columns: columns as string[] };
}
