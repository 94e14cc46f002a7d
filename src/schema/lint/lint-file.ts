/** Lints one migration's SQL text into findings and a verdict (its worst finding). */
import { type ParsedStatement, SqlParseError, parseStatements } from '../sql/parse-sql';
import { classifyStatement, foreignKeysAdded } from './classify';
import { type Finding, type LiveQuestion, type RawFinding, SEVERITY_RANK, type Severity, type Verdict, newFileContext, raw } from './rule';
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
  return findings.reduce<Severity>((worst, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst] ? f.severity : worst), 'safe');
}

export function lintStatements(statements: readonly ParsedStatement[]): LintedFinding[] {
  const context = newFileContext(foreignKeysAdded(statements), statements);
  return statements.flatMap((statement) =>
    [...classifyStatement(statement, context), ...longIdentifiers(statement)].map((found) => {
      const statementText =
        statement.text.length > MAX_STATEMENT_CHARS ? `${statement.text.slice(0, MAX_STATEMENT_CHARS)}…` : statement.text;
      const finding: Finding = {
        rule: found.rule.id,
        severity: found.rule.severity,
        line: statement.line,
        statement: statementText,
        message: `${found.subject}: ${found.rule.why}`,
        fix: found.rule.fix,
      };
      return found.question ? { finding, question: found.question } : { finding };
    }),
  );
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
  return [...found].map((name) => raw(identifierTooLong, `"${name}" is ${Buffer.byteLength(name, 'utf8')} bytes; PostgreSQL keeps "${Buffer.from(name).subarray(0, MAX_IDENTIFIER_BYTES).toString('utf8')}"`));
}

/** A file that does not parse is a report with verdict error (file and position), not an exception: the other files are still linted. */
export function lintSql(sql: string, path: string): { report: FileReport; linted: LintedFinding[] } {
  let statements: ParsedStatement[];
  try {
    statements = parseStatements(sql, path);
  } catch (error) {
    if (!(error instanceof SqlParseError)) throw error;
    return { report: { path, verdict: 'error', findings: [], error: { ...error.position, message: error.message } }, linted: [] };
  }
  const linted = lintStatements(statements);
  const findings = linted.map((l) => l.finding);
  return { report: { path, verdict: worstSeverity(findings), findings }, linted };
}
