/**
 * `rollback-bot lint-migrations <file-or-folder>... [--format text|json] [--database-url URL]`
 * Exit status: 2 on a usage error or when a file does not parse (that file's
 * verdict is error; every other file is still linted and reported), else 1
 * when any file is dangerous, else 0.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isRollbackError } from '../rollback/errors';
import { isFormat, readArgs, readFormat } from './args';
import { scrubSecrets } from '../scrub-secrets';
import { discoverMigrationFiles } from '../schema/lint/discover';
import { reportsToJson, reportsToText } from '../schema/lint/format-report';
import { type FileReport, type LintedFinding, lintSql, worstSeverity } from '../schema/lint/lint-file';
import { loadParser } from '../schema/sql/parse-sql';

export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: NodeJS.ProcessEnv;
}

export const LINT_USAGE =
  'Usage: rollback-bot lint-migrations <file-or-folder>... [--format text|json] [--database-url URL]\n';

interface LintArgs {
  paths: string[];
  format: 'text' | 'json';
  databaseUrl?: string;
}

function parseArgs(argv: readonly string[]): LintArgs | string {
  const read = readArgs(argv, ['format', 'database-url']);
  if (typeof read === 'string') return read;
  const format = readFormat(read.values.format);
  if (!isFormat(format)) return format;
  if (read.positionals.length === 0) return 'name at least one migration file or folder';
  return { paths: read.positionals, format, databaseUrl: read.values['database-url'] };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`lint-migrations: ${args}\n${LINT_USAGE}`);
    return 2;
  }
  try {
    await loadParser();
    const files = discoverMigrationFiles(args.paths);
    if (files.length === 0) {
      io.stderr(`lint-migrations: no .sql files found in ${args.paths.join(', ')}\n`);
      return 2;
    }
    const linted: { report: FileReport; linted: LintedFinding[] }[] = files.map((file) => {
      const shown = relative(process.cwd(), file) || file;
      return lintSql(readFileSync(file, 'utf8'), shown.startsWith('..') ? file : shown);
    });
    let reports = linted.map((l) => l.report);
    if (args.databaseUrl) {
      const url = args.databaseUrl;
      // pg is loaded only for live checks: a plain lint starts without it.
      const { checkLive } = await import('../schema/lint/live-checks');
      reports = [];
      for (const l of linted) {
        if (l.report.verdict === 'error') {
          reports.push(l.report);
          continue;
        }
        const findings = await checkLive(url, l.linted);
        reports.push({ ...l.report, findings, verdict: worstSeverity(findings) });
      }
    }
    io.stdout(args.format === 'json' ? `${reportsToJson(reports)}\n` : reportsToText(reports));
    if (reports.some((r) => r.verdict === 'error')) return 2;
    return reports.some((r) => r.verdict === 'dangerous') ? 1 : 0;
  } catch (error) {
    const message = isRollbackError(error) ? error.explain() : error instanceof Error ? error.message : String(error);
    io.stderr(`lint-migrations: ${scrubSecrets(message)}\n`);
    return 2;
  }
}
