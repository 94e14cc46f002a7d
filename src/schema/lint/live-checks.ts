/**
 * `--database-url`: asks the live database what each risky statement would
 * do to the data there: rows behind a drop, and whether the data already
 * complies with an added constraint or NOT NULL. Read-only transactions only.
 */
import { Client } from 'pg';
import { qualified, quoteIdent } from '../sql/ast';
import type { LintedFinding } from './lint-file';
import type { Finding, LiveAnswer, LiveQuestion } from './rule';

const STATEMENT_TIMEOUT_MS = 30_000;

function liveQuery(question: LiveQuestion): string {
  const t = qualified(question.table);
  switch (question.kind) {
    case 'table-rows':
      return `SELECT count(*)::bigint AS rows FROM ${t}`;
    case 'matching-rows':
      return `SELECT count(*)::bigint AS rows FROM ${t} WHERE ${question.where}`;
    case 'column-values':
      return `SELECT count(*)::bigint AS rows, count(${quoteIdent(question.column)})::bigint AS non_null FROM ${t}`;
    case 'nulls':
      return (
        `SELECT count(*)::bigint AS rows, count(*) FILTER (WHERE ` +
        `${quoteIdent(question.column)} IS NULL)::bigint AS violations FROM ${t}`
      );
    case 'duplicates': {
      const cols = question.columns.map(quoteIdent);
      // Rows beyond the first of each duplicate group: what would have to go for the index to build.
      return (
        `SELECT coalesce(sum(n - 1), 0)::bigint AS violations FROM (SELECT count(*) AS n ` +
        `FROM ${t} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')} GROUP BY ` +
        `${cols.join(', ')} HAVING count(*) > 1) AS d`
      );
    }
    case 'orphans': {
      const matches = question.columns
        .map((c, i) => `p.${quoteIdent(question.refColumns[i] ?? c)} = c.${quoteIdent(c)}`)
        .join(' AND ');
      const present = question.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
      return (
        `SELECT count(*)::bigint AS violations FROM ${t} AS c WHERE ${present} AND NOT ` +
        `EXISTS (SELECT 1 FROM ${qualified(question.refTable)} AS p WHERE ${matches})`
      );
    }
    case 'check':
      return `SELECT count(*)::bigint AS violations FROM ${t} WHERE NOT (${question.expression})`;
  }
}

function toAnswer(question: LiveQuestion, row: Record<string, string | null>): LiveAnswer {
  const num = (v: string | null | undefined): number | undefined =>
    v === null || v === undefined ? undefined : Number(v);
  const rows = num(row.rows);
  const nonNull = num(row.non_null);
  const violations = num(row.violations);
  if (question.kind === 'table-rows' || question.kind === 'matching-rows') return { rows: rows ?? 0 };
  if (question.kind === 'column-values') return { rows: rows ?? 0, nonNullValues: nonNull ?? 0 };
  return { ...(rows === undefined ? {} : { rows }), violations: violations ?? 0, complies: (violations ?? 0) === 0 };
}

function describeAnswer(question: LiveQuestion, answer: LiveAnswer): string {
  if (answer.error) return `Live check failed: ${answer.error}`;
  if (question.kind === 'table-rows') return `Live: ${answer.rows ?? 0} rows in "${question.table.name}".`;
  if (question.kind === 'matching-rows')
    return `Live: ${answer.rows ?? 0} rows of "${question.table.name}" match its WHERE.`;
  if (question.kind === 'column-values') {
    return (
      `Live: ${answer.nonNullValues ?? 0} non-null values in ${answer.rows ?? 0} rows ` +
      `of "${question.table.name}"."${question.column}".`
    );
  }
  return answer.complies
    ? 'Live: the data already complies (0 rows break it).'
    : `Live: ${answer.violations ?? 0} rows break it; the statement would fail on this data.`;
}

async function ask(client: Client, question: LiveQuestion): Promise<LiveAnswer> {
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    const result = await client.query<Record<string, string | null>>(liveQuery(question));
    return toAnswer(question, result.rows[0] ?? {});
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Answers every question on one connection; a failing question is reported, not thrown. */
export async function checkLive(databaseUrl: string, linted: readonly LintedFinding[]): Promise<Finding[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'rollback-bot lint' });
  await client.connect();
  try {
    const out: Finding[] = [];
    for (const { finding, question } of linted) {
      if (!question) {
        out.push(finding);
        continue;
      }
      const live = await ask(client, question);
      out.push({ ...finding, message: `${finding.message} ${describeAnswer(question, live)}`, live });
    }
    return out;
  } finally {
    await client.end();
  }
}
