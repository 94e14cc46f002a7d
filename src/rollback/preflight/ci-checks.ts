/**
 * The runbook's "All tests passing (at least 80% pass rate)", "TypeScript
 * compilation successful" and "Rollback plan documented", read from the
 * candidate commit's CI results. Which checks count is configured by name
 * pattern (git.checks); a check that is missing or still running fails, since
 * CI must not ship on a guess.
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { CommitSha } from '../ids';
import type { CommitCheck } from '../ports/pull-request';
import type { PreflightDeps } from './ports';
import { type CheckId, type PreflightCheck, failed, passed } from './report';

const MIN_PASS_RATE = 0.8;

const short = (sha: string): string => sha.slice(0, 7);

function matching(checks: readonly CommitCheck[], patterns: readonly string[]): CommitCheck[] {
  const regexes = patterns.map((pattern) => new RegExp(pattern, 'i'));
  return checks.filter((check) => regexes.some((regex) => regex.test(check.name)));
}

const line = (check: CommitCheck): string => {
  const counts = check.counts ? `, ${check.counts.passed} passed, ${check.counts.failed} failed` : '';
  return `${check.name} (${check.source}): ${check.detail}${counts}${check.url ? ` ${check.url}` : ''}`;
};

/** Missing and still-running checks, the same for both CI items. */
function notYet(
  id: CheckId,
  found: readonly CommitCheck[],
  patterns: readonly string[],
  candidate: CommitSha,
): PreflightCheck | undefined {
  if (found.length === 0) {
    return failed(id, {
      detail: `No CI check on ${short(candidate)} is named like ${patterns.map((p) => `/${p}/`).join(' or ')}.`,
      fix: 'Run CI on the candidate commit, or set git.checks in the services file to the names your CI reports.',
    });
  }
  const running = found.filter((check) => check.outcome === 'pending');
  if (running.length === 0) return undefined;
  return failed(id, {
    detail:
      `${running.length} of ${found.length} check(s) on ${short(candidate)} are still ` +
      `running: ${running.map((c) => c.name).join(', ')}.`,
    fix: 'Wait for CI to finish, then run the checklist again.',
    notes: found.map(line),
  });
}

export function checkTests(
  service: ServiceConfig,
  checks: readonly CommitCheck[],
  candidate: CommitSha,
): PreflightCheck {
  const id = 'tests';
  const patterns = service.git.checks.tests;
  const found = matching(checks, patterns);
  const early = notYet(id, found, patterns, candidate);
  if (early) return early;
  const notes = found.map(line);
  const counted = found.filter((check) => check.counts);
  if (counted.length > 0) {
    const passedCount = counted.reduce((sum, check) => sum + (check.counts?.passed ?? 0), 0);
    const failedCount = counted.reduce((sum, check) => sum + (check.counts?.failed ?? 0), 0);
    const total = passedCount + failedCount;
    const rate = total === 0 ? 0 : passedCount / total;
    const percent = `${Math.floor(rate * 1000) / 10}%`;
    if (total > 0 && rate >= MIN_PASS_RATE) {
      return passed(id, {
        detail: `${passedCount} of ${total} tests passed (${percent}, at least ${MIN_PASS_RATE * 100}% required).`,
        notes,
      });
    }
    return failed(id, {
      detail:
        `${passedCount} of ${total} tests passed (${percent}): below the runbook's ` +
        `${MIN_PASS_RATE * 100}% pass rate.`,
      fix: 'Fix the failing tests before deploying.',
      notes,
    });
  }
  const failing = found.filter((check) => check.outcome === 'fail');
  if (failing.length > 0) {
    return failed(id, {
      detail: `${failing.length} of ${found.length} test check(s) failed: ${failing.map((c) => c.name).join(', ')}.`,
      fix: 'Fix the failing tests before deploying.',
      notes,
    });
  }
  return passed(id, { detail: `${found.length} test check(s) passed on ${short(candidate)}.`, notes });
}

export function checkTypescript(
  service: ServiceConfig,
  checks: readonly CommitCheck[],
  candidate: CommitSha,
): PreflightCheck {
  const id = 'typescript';
  const patterns = service.git.checks.typescript;
  const found = matching(checks, patterns);
  const early = notYet(id, found, patterns, candidate);
  if (early) return early;
  const failing = found.filter((check) => check.outcome === 'fail');
  const notes = found.map(line);
  if (failing.length > 0) {
    return failed(id, {
      detail: `${failing.map((c) => c.name).join(', ')} failed on ${short(candidate)}.`,
      fix: 'Fix the compilation errors before deploying.',
      notes,
    });
  }
  return passed(id, { detail: `${found.map((c) => c.name).join(', ')} passed on ${short(candidate)}.`, notes });
}

/** The plan the bot would follow if the candidate misbehaves, with a link to what it changes. */
export async function checkRollbackPlan(
  deps: PreflightDeps,
  service: ServiceConfig,
  live: CommitSha | undefined,
  candidate: CommitSha,
): Promise<PreflightCheck> {
  const id = 'rollback-plan';
  let target: string;
  try {
    const resolved = await deps.application.resolveTarget(service);
    target = `${resolved.current.id}${resolved.current.version ? ` (version ${resolved.current.version})` : ''}`;
  } catch (error) {
    return failed(id, {
      detail: `No plan: the deployment to go back to is unknown (${(error as Error).message}).`,
      fix: 'See "Rollback target exists".',
    });
  }
  const via = service.git.via === 'pull-request' ? 'through a pull request' : 'pushed to';
  const notes = [
    `Application: move production back to ${target}, what serves now (/rollback app ${service.name}).`,
    `Code: git revert of ${short(candidate)} ${via} ${service.git.branch} (/rollback ` +
      `revert ${service.name} ${short(candidate)}).`,
    'Schema: each new migration is rolled back on its own with the CTO’s approval (/rollback schema).',
  ];
  const link = live && deps.ci ? ` Changes: ${deps.ci.compareUrl(service, live, candidate)}` : '';
  return passed(id, { detail: `If ${short(candidate)} misbehaves, the bot rolls back as below.${link}`, notes });
}
