/**
 * DO blocks: the PL/pgSQL body is parsed (libpg_query's PL/pgSQL parser) and
 * every static SQL statement in it classified like a top-level one. Dynamic
 * SQL (EXECUTE), another language, or a body that does not parse is a
 * warning that says the body was not analysed; never "safe" unseen.
 */
import { parsePlPgSQLSync } from 'libpg-query';
import { asList, asString, child } from '../sql/ast';
import { type ParsedStatement, parseStatements } from '../sql/parse-sql';
import { type FileContext, type RawFinding, raw } from './rule';
import { doBlockUnanalysed } from './rules/other';

type Classify = (statement: ParsedStatement, context: FileContext) => RawFinding[];

const DYNAMIC = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);

function collect(value: unknown, queries: string[], dynamic: { found: boolean }): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, queries, dynamic);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (DYNAMIC.has(key)) dynamic.found = true;
    if (key === 'PLpgSQL_stmt_execsql') {
      const query = asString(child(child(v as Record<string, unknown>, 'sqlstmt'), 'PLpgSQL_expr')?.query);
      if (query) queries.push(query);
    }
    collect(v, queries, dynamic);
  }
}

export function checkDoBlock(statement: ParsedStatement, context: FileContext, classify: Classify): RawFinding[] {
  const options = asList(statement.node.args).map((a) => child(a, 'DefElem') ?? {});
  const body = asString(child(options.find((o) => o.defname === 'as')?.arg as Record<string, unknown>, 'String')?.sval);
  const language =
    asString(child(options.find((o) => o.defname === 'language')?.arg as Record<string, unknown>, 'String')?.sval) ??
    'plpgsql';
  const unanalysed = (why: string): RawFinding[] => [raw(doBlockUnanalysed, `DO block (${why})`)];
  if (body === undefined || language.toLowerCase() !== 'plpgsql') return unanalysed(`language ${language}`);
  const queries: string[] = [];
  const dynamic = { found: false };
  try {
    const tag = '$rollback_bot_do$';
    collect(
      parsePlPgSQLSync(`CREATE FUNCTION rollback_bot_do() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`),
      queries,
      dynamic,
    );
  } catch {
    return unanalysed('its body does not parse');
  }
  const findings: RawFinding[] = [];
  for (const query of queries) {
    let inner: ParsedStatement[];
    try {
      inner = parseStatements(query, 'DO block');
    } catch {
      return unanalysed('a statement in it does not parse');
    }
    for (const s of inner)
      findings.push(...classify(s, context).map((f) => ({ ...f, subject: `in a DO block: ${f.subject}` })));
  }
  if (dynamic.found) findings.push(...unanalysed('it runs dynamic SQL with EXECUTE'));
  return findings.length > 0 ? findings : unanalysed('no SQL statement found in it');
}
