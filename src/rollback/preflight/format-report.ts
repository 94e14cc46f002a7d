/** The checklist as text for a terminal or CI log, and as JSON for machines. */
import type { CheckStatus, PreflightReport } from './report';

const MARKS: Readonly<Record<CheckStatus, string>> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

export function reportToText(report: PreflightReport): string {
  const head = [
    `Pre-deployment checklist for ${report.service}`,
    `  candidate ${report.candidate?.slice(0, 7) ?? 'unknown'}, live ` +
      `${report.live?.slice(0, 7) ?? 'unknown'}, checked ` +
      `${report.checkedAt.toISOString()}`,
    '',
    ...(report.unavailable?.length ? [...report.unavailable.map((line) => `[UNAVAILABLE] ${line}`), ''] : []),
  ];
  const body = report.checks.flatMap((check) => [
    `[${MARKS[check.status]}] ${check.title}: ${check.detail}`,
    ...check.notes.map((note) => `       - ${note}`),
    ...(check.fix && check.status !== 'pass' ? [`       fix: ${check.fix}`] : []),
  ]);
  const failures = report.checks.filter((check) => check.status === 'fail').length;
  const skips = report.checks.filter((check) => check.status === 'skip').length;
  const verdict = report.passed
    ? `Ready to deploy${skips > 0 ? ` (${skips} check(s) skipped)` : ''}.`
    : `Not ready: ${failures} check(s) failed.`;
  return `${[...head, ...body, '', verdict].join('\n')}\n`;
}

export function reportToJson(report: PreflightReport): string {
  return JSON.stringify(
    {
      service: report.service,
      candidate: report.candidate ?? null,
      live: report.live ?? null,
      checkedAt: report.checkedAt.toISOString(),
      passed: report.passed,
      unavailable: report.unavailable ?? [],
      checks: report.checks.map((check) => ({
        id: check.id,
        title: check.title,
        status: check.status,
        detail: check.detail,
        fix: check.fix ?? null,
        notes: check.notes,
      })),
    },
    null,
    2,
  );
}
