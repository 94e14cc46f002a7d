/** Text and JSON renderings of lint reports. */
import type { FileReport } from './lint-file';

export function reportsToJson(reports: readonly FileReport[]): string {
  return JSON.stringify(
    {
      files: reports.map((r) => ({
        path: r.path,
        verdict: r.verdict,
        ...(r.error ? { error: r.error } : {}),
        findings: r.findings.map((f) => ({
          rule: f.rule,
          severity: f.severity,
          line: f.line,
          statement: f.statement,
          message: f.message,
          fix: f.fix,
          ...(f.live ? { live: f.live } : {}),
        })),
      })),
    },
    null,
    2,
  );
}

const MARK = { safe: 'ok  ', warning: 'WARN', dangerous: 'DANGER' } as const;

export function reportsToText(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(`${report.path}: ${report.verdict}`);
    if (report.error) lines.push(`  ERROR ${report.error.message} (the file was not linted; fix the SQL)`);
    for (const f of report.findings) {
      if (f.severity === 'safe') continue;
      lines.push(`  ${MARK[f.severity]} line ${f.line} [${f.rule}] ${f.message}`);
      lines.push(`       statement: ${f.statement.replace(/\s+/g, ' ').slice(0, 160)}`);
      lines.push(`       safer: ${f.fix}`);
    }
  }
  const count = (v: string): number => reports.filter((r) => r.verdict === v).length;
  lines.push(
    `${reports.length} files: ${count('dangerous')} dangerous, ${count('warning')} ` +
      `warning, ${count('safe')} ` +
      `safe${count('error') ? `, ${count('error')} not parsed` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
