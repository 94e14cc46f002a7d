/** One line about a revert pull request for the incident thread: link, state, checks, review, what it waits for. */
import type { PullRequestProgress } from '../../rollback/ports/code';

export function pullRequestLine(pr: PullRequestProgress): string {
  const state =
    pr.state === 'merged'
      ? 'merged'
      : pr.state === 'closed'
        ? 'closed without merging'
        : pr.autoMerge
          ? 'open, auto-merge on'
          : 'open';
  const { checks } = pr;
  const failing = checks.failed > 0 ? `, failing: ${checks.failing.join(', ')}` : '';
  const running = checks.pending > 0 ? `, ${checks.pending} running` : '';
  const checkText =
    checks.total === 0
      ? 'no checks reported yet'
      : `checks ${checks.passed}/${checks.total} passed${failing}${running}`;
  const review =
    pr.review === 'approved' ? 'approved' : pr.review === 'changes_requested' ? 'changes requested' : 'no review yet';
  const waiting = pr.state === 'open' && pr.waitingFor ? `; waiting for ${pr.waitingFor}` : '';
  return `pull request #${pr.number} ${pr.url} (${state}; ${checkText}; ${review}${waiting})`;
}

/** A stored step output's pullRequest, when it has one. */
export function pullRequestOf(output: Record<string, unknown> | undefined): PullRequestProgress | undefined {
  const pr = output?.pullRequest as PullRequestProgress | undefined;
  return pr && typeof pr.number === 'number' && typeof pr.url === 'string' && pr.checks ? pr : undefined;
}
