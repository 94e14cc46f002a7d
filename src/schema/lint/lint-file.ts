/** Lints one migration's SQL text into findings and a verdict (its worst finding). */
import { type ParsedStatement, SqlParseError, parseStatements } from '../sql/parse-sql';
import { classifyStatement, foreignKeysAdded } from './classify';
import { asList, asString, child, relationKey, relationOf } from '../sql/ast';
import {
  type FileContext,
  type Finding,
  type LiveQuestion,
  type RawFinding,
  SEVERITY_RANK,
  type Severity,
  type Verdict,
  newFileContext,
  raw,
} from './rule';
import { identifierTooLong } from './rules/other';

export interface FileReport {
  readonly path: string;
  readonly verdict: Verdict;
  readonly findings: Finding[];
  /** Set when the file does not parse (verdict error): where and why. */
  readonly error?: { readonly line: number; readonly column: number; readonly message: string };
}

/** A finding with the live-database question it raises, kept apart from the JSON shape. */
export interface LintedFinding {
  readonly finding: Finding;
  readonly question?: LiveQuestion;
}

const MAX_STATEMENT_CHARS = 500;

export function worstSeverity(findings: readonly { severity: Severity }[]): Severity {
  return findings.reduce<Severity>(
    (worst, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst] ? f.severity : worst),
    'safe',
  );
}

function lintStatements(statements: readonly ParsedStatement[]): LintedFinding[] {
  const context = newFileContext(foreignKeysAdded(statements), statements);
  /** Tables whose rows an earlier statement of the file changed: live figures about them would describe other data. */
  const changed: Changed = new Map();
  return statements.flatMap((statement) => {
    const findings = [...classifyStatement(statement, context), ...longIdentifiers(statement)].map((f) =>
      withAnswerableQuestion(f, context, changed),
    );
    const rel = relationOf(child(statement.node, 'relation'));
    if (rel && DATA_CHANGES.has(statement.kind)) {
      const key = relationKey(rel);
      const set =
        statement.kind === 'UpdateStmt'
          ? asList(statement.node.targetList).map((t) => asString(child(t, 'ResTarget')?.name) ?? '')
          : 'rows';
      const was = changed.get(key);
      changed.set(key, set === 'rows' || was === 'rows' ? 'rows' : new Set([...(was ?? []), ...set]));
    }
    return findings.map((found) => {
      const statementText =
        statement.text.length > MAX_STATEMENT_CHARS
          ? `${statement.text.slice(0, MAX_STATEMENT_CHARS)}…`
          : statement.text;
      const finding: Finding = {
        rule: found.rule.id,
        severity: found.rule.severity,
        line: statement.line,
        statement: statementText,
        message: `${found.subject}: ${found.rule.why}`,
        fix: found.rule.fix,
      };
      return found.question ? { finding, question: found.question } : { finding };
    });
  });
}

const DATA_CHANGES = new Set(['DeleteStmt', 'UpdateStmt', 'InsertStmt', 'TruncateStmt']);
/** Per table: 'rows' when earlier statements added or removed rows, else the columns they updated. */
type Changed = Map<string, 'rows' | Set<string>>;

/**
 * Drops a live question the database cannot answer truthfully: about a
 * column the file itself adds (it does not exist yet), or about a table
 * whose rows an earlier statement of the file changes (a DELETE of
 * duplicates before a unique index). The finding says so instead.
 */
function withAnswerableQuestion(found: RawFinding, context: FileContext, changed: Changed): RawFinding {
  const q = found.question;
  if (!q) return found;
  const table = relationKey(q.table);
  const columns = 'columns' in q ? q.columns : 'column' in q ? [q.column] : [];
  const added = columns.find((c) => context.addedColumns.has(`${table}.${c}`));
  if (added) return { rule: found.rule, subject: `${found.subject} (the file adds "${added}" itself: no live figure)` };
  const touched = changed.get(table);
  const affected = touched === 'rows' || (touched !== undefined && columns.some((c) => touched.has(c)));
  if (affected && q.kind !== 'table-rows' && q.kind !== 'matching-rows') {
    return {
      rule: found.rule,
      subject:
        `${found.subject} (an earlier statement of the file changes the rows of ` +
        `"${q.table.name}": no live figure)`,
    };
  }
  return found;
}

const MAX_IDENTIFIER_BYTES = 63;
const STRINGS = /'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\1\$|--[^\n]*/g;
const IDENTIFIERS = /"((?:[^"]|"")+)"|[A-Za-z_][A-Za-z0-9_$]*/g;

/**
 * Names longer than 63 bytes, which PostgreSQL truncates without a word. The
 * parser truncates them too, so they are read from the statement's text
 * (string literals and dollar-quoted bodies left out).
 */
function longIdentifiers(statement: ParsedStatement): RawFinding[] {
  if (statement.text.length <= MAX_IDENTIFIER_BYTES) return [];
  const found = new Set<string>();
  for (const m of statement.text.replace(STRINGS, "''").matchAll(IDENTIFIERS)) {
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[0];
    if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) found.add(name);
  }
  return [...found].map((name) =>
    raw(
      identifierTooLong,
      `"${name}" is ${Buffer.byteLength(name, 'utf8')} bytes; PostgreSQL keeps ` +
        `"${Buffer.from(name).subarray(0, MAX_IDENTIFIER_BYTES).toString('utf8')}"`,
    ),
  );
}

/**
 * A file that does not parse is a report with verdict error (file and position), not an exception: the other files are
 * still linted.
 */
export function lintSql(sql: string, path: string): { report: FileReport; linted: LintedFinding[] } {
  let statements: ParsedStatement[];
  try {
    statements = parseStatements(sql, path);
  } catch (error) {
    if (!(error instanceof SqlParseError)) throw error;
    return {
      report: { path, verdict: 'error', findings: [], error: { ...error.position, message: error.message } },
      linted: [],
    };
  }
  const linted = lintStatements(statements);
  const findings = linted.map((l) => l.finding);
  return { report: { path, verdict: worstSeverity(findings), findings }, linted };
}
