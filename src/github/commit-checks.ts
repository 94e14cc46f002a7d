/**
 * A commit's CI results on GitHub: its check runs and its commit statuses
 * (the two ways CI reports), each reduced to pass / fail / pending, with the
 * test counts a check reported in its title or summary.
 */
import type { Octokit } from '@octokit/rest';
import type { ChecksSummary, CommitCheck } from '../rollback/ports/pull-request';
import { githubFailure } from './github-errors';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

const PASSING = new Set(['success', 'neutral', 'skipped']);

/** "45 passed, 3 failed" / "Tests: 3 failed, 45 passed, 48 total" → counts; undefined when the text reports none. */
function parseTestCounts(text: string | null | undefined): CommitCheck['counts'] {
  if (!text) return undefined;
  const passed = /(\d+)\s+pass(?:ed|ing)?\b/i.exec(text);
  const failed = /(\d+)\s+fail(?:ed|ing|ures?)?\b/i.exec(text);
  if (!passed && !failed) return undefined;
  return { passed: Number(passed?.[1] ?? 0), failed: Number(failed?.[1] ?? 0) };
}

export async function readCommitChecks(octokit: Octokit, repo: RepoRef, ref: string): Promise<CommitCheck[]> {
  const where = { operation: `read the checks of ${ref.slice(0, 12)}`, repo: `${repo.owner}/${repo.repo}` };
  try {
    const [runs, statuses] = await Promise.all([
      octokit.rest.checks.listForRef({ owner: repo.owner, repo: repo.repo, ref, per_page: 100, filter: 'latest' }),
      octokit.rest.repos.getCombinedStatusForRef({ owner: repo.owner, repo: repo.repo, ref, per_page: 100 }),
    ]);
    const fromRuns: CommitCheck[] = runs.data.check_runs.map((run) => {
      const counts = parseTestCounts(run.output.title) ?? parseTestCounts(run.output.summary);
      return {
        name: run.name,
        source: 'check-run',
        outcome: run.status !== 'completed' ? 'pending' : PASSING.has(run.conclusion ?? '') ? 'pass' : 'fail',
        detail: run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status,
        ...(counts ? { counts } : {}),
        ...(run.html_url ? { url: run.html_url } : {}),
      };
    });
    const fromStatuses: CommitCheck[] = statuses.data.statuses.map((status) => {
      const counts = parseTestCounts(status.description);
      return {
        name: status.context,
        source: 'status',
        outcome: status.state === 'success' ? 'pass' : status.state === 'pending' ? 'pending' : 'fail',
        detail: status.state,
        ...(counts ? { counts } : {}),
        ...(status.target_url ? { url: status.target_url } : {}),
      };
    });
    return [...fromRuns, ...fromStatuses];
  } catch (error) {
    throw githubFailure(error, where);
  }
}

export function summarizeChecks(checks: readonly CommitCheck[]): ChecksSummary {
  return {
    total: checks.length,
    passed: checks.filter((c) => c.outcome === 'pass').length,
    failed: checks.filter((c) => c.outcome === 'fail').length,
    pending: checks.filter((c) => c.outcome === 'pending').length,
    failing: checks.filter((c) => c.outcome === 'fail').map((c) => c.name),
  };
}
