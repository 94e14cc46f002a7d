/** Lints one migration's SQL text into findings and a verdict (its worst finding). */
import { type ParsedStatement, parseStatements } from '../sql/parse-sql';
import { classifyStatement, foreignKeysAdded } from './classify';
import { type Finding, type LiveQuestion, SEVERITY_RANK, type Severity, newFileContext } from './rule';

export interface FileReport {
  readonly path: string;
  readonly verdict: Severity;
  readonly findings: Finding[];
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
  const context = newFileContext(foreignKeysAdded(statements));
  return statements.flatMap((statement) =>
    classifyStatement(statement, context).map((found) => {
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

/** Throws SqlParseError (file and position) when the SQL does not parse. */
export function lintSql(sql: string, path: string): { report: FileReport; linted: LintedFinding[] } {
  const linted = lintStatements(parseStatements(sql, path));
  const findings = linted.map((l) => l.finding);
  return { report: { path, verdict: worstSeverity(findings), findings }, linted };
}
