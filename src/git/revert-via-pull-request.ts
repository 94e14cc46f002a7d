/**
 * Option A on a protected deploy branch: the same revert commit goes onto
 * branch rollback/<incident>, a pull request asks to merge it into the deploy
 * branch, and it is merged per git.merge (auto-merge, at once, or by a
 * person). The step waits for the merge, reporting the pull request's checks
 * and review state as they change, and fails with the reason when it is
 * closed unmerged. Run again (a crash, a retry) it finds its pull request by
 * branch instead of opening a second one.
 */
import type { Clock } from '../rollback/clock';
import { RollbackError, isRollbackError } from '../rollback/errors';
import type { CommitSha } from '../rollback/ids';
import type { PullRequestProgress, RevertInput, RevertResult } from '../rollback/ports/code';
import type { PullRequestHost, PullRequestView } from '../rollback/ports/pull-request';
import { revertMessage } from './commit-message';
import { gitFailure } from './git-errors';
import { pullRequestBody, pullRequestTitle, rollbackBranch } from './pull-request-text';
import { planRevert } from './revert-plan';
import { revertInOneCommit } from './revert-commits';
import type { WorkingClone } from './working-clone';

interface PullRequestWaitOptions {
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly pollIntervalMs: number;
}

function progressOf(
  view: PullRequestView,
  mergeMode: PullRequestProgress['mergeMode'],
  waitingFor: string | undefined,
): PullRequestProgress {
  return {
    number: view.number,
    url: view.url,
    state: view.state,
    mergeMode,
    autoMerge: view.autoMerge,
    checks: view.checks,
    review: view.review,
    ...(waitingFor && view.state === 'open' ? { waitingFor } : {}),
  };
}

/**
 * GitHub said no (required reviews, auto-merge off for the repository, conflicts): its reason, or undefined for other
 * failures.
 */
function refusal(error: unknown): string | undefined {
  if (!isRollbackError(error) || !['conflict', 'bad_input', 'forbidden'].includes(error.code)) return undefined;
  return String(error.details.githubMessage ?? error.message);
}

/** Asks GitHub to merge per git.merge; returns why it must wait for a person, when it must. */
async function requestMerge(
  host: PullRequestHost,
  view: PullRequestView,
  clone: WorkingClone,
): Promise<string | undefined> {
  const { merge: mode, mergeMethod } = clone.service.git;
  if (mode === 'manual') return 'a person to review and merge it';
  if (mode === 'auto') {
    if (view.autoMerge) return undefined;
    try {
      if ((await host.enableAutoMerge(view, mergeMethod)) === 'enabled') return undefined;
    } catch (error) {
      // Auto-merge off for the repository: merging at once is the next best thing.
      if (refusal(error) === undefined) throw error;
    }
  }
  try {
    await host.merge(view, mergeMethod);
    return undefined;
  } catch (error) {
    const reason = refusal(error);
    if (reason === undefined) throw error;
    return `a person: GitHub would not merge it (${reason})`;
  }
}

export async function revertViaPullRequest(
  clone: WorkingClone,
  host: PullRequestHost,
  input: RevertInput,
  wait: PullRequestWaitOptions,
): Promise<RevertResult> {
  const branch = rollbackBranch(input.incidentId);
  const mode = clone.service.git.merge;
  const prepared = await clone.exclusive(async () => {
    const head = await clone.sync();
    const plan = await planRevert(clone, input.target, input.incidentId);
    const reverted = plan.commits.map((commit) => commit.sha);
    if (plan.earlier) return { done: { commit: plan.earlier.sha, head, reverted } };
    const found = await host.findByHead(branch);
    if (found) return { view: found, head, reverted };
    const message = revertMessage({
      commits: plan.commits,
      incidentId: input.incidentId,
      requestedBy: input.requestedBy,
      branch: clone.branch,
    });
    const what =
      plan.commits.length === 1 ? `Reverting ${reverted[0]?.slice(0, 7)}` : `Reverting ${plan.commits.length} commits`;
    await revertInOneCommit(clone, plan.commits, message, what);
    await clone.pushBranch(branch);
    const view = await host.open({
      head: branch,
      base: clone.branch,
      title: pullRequestTitle(plan.commits, input.incidentId),
      body: pullRequestBody({
        commitMessage: message,
        incidentId: input.incidentId,
        requestedBy: input.requestedBy,
        context: input.context,
        mergeMode: mode,
      }),
    });
    clone.logger.info({ incidentId: input.incidentId, pullRequest: view.number, branch }, 'revert pull request opened');
    return { view, head, reverted };
  });
  if ('done' in prepared && prepared.done) {
    const { commit, head, reverted } = prepared.done;
    return {
      commit,
      head,
      previousHead: head,
      workTree: clone.dir,
      status: 'already-done',
      reverted,
      redoneAfterRace: false,
    };
  }
  let view = (prepared as { view: PullRequestView }).view;
  const startedFrom = prepared.head;
  let waitingFor = view.state === 'open' ? await requestMerge(host, view, clone) : undefined;
  const deadline = wait.clock.now().getTime() + clone.service.git.mergeDeadlineMinutes * 60_000;
  let shown = '';
  let lastJudged = JSON.stringify([view.checks, view.review, view.headSha]);
  for (;;) {
    const progress = progressOf(view, mode, waitingFor);
    const key = JSON.stringify(progress);
    if (key !== shown) {
      shown = key;
      await input.onProgress?.(progress);
    }
    if (view.state === 'merged') break;
    if (view.state === 'closed') {
      throw gitFailure(
        'pull_request_closed',
        `The revert pull request #${view.number} (${view.url}) was closed without being ` +
          `merged, so ${clone.branch} of ${clone.service.name} still has the reverted code.`,
        {
          fix:
            'Someone closed it on purpose or by mistake: reopen and merge it on GitHub and ' +
            'run the rollback again (the bot picks the pull request up), or roll back another ' +
            'way.',
          details: { pullRequest: view.number, url: view.url },
        },
      );
    }
    if (wait.clock.now().getTime() >= deadline) {
      throw new RollbackError(
        'timeout',
        `The revert pull request #${view.number} (${view.url}) is still open after ` +
          `${clone.service.git.mergeDeadlineMinutes} minutes, waiting for ` +
          `${waitingFor ?? 'its checks'}.`,
        {
          fix: 'Merge it on GitHub, then run the rollback again: the bot finds the same pull request and continues.',
          retryable: true,
          details: { pullRequest: view.number, url: view.url },
        },
      );
    }
    await wait.sleep(wait.pollIntervalMs);
    view = await host.read(view.number);
    // A refused merge is asked again when what GitHub judges by changed (checks finished, a review came in).
    const judged = JSON.stringify([view.checks, view.review, view.headSha]);
    if (view.state === 'open' && mode !== 'manual' && !view.autoMerge && judged !== lastJudged) {
      lastJudged = judged;
      waitingFor = await requestMerge(host, view, clone);
      if (waitingFor === undefined) view = await host.read(view.number);
    }
  }
  const head = await clone.exclusive(() => clone.sync());
  const merged = view;
  clone.logger.info(
    { incidentId: input.incidentId, pullRequest: merged.number, mergeSha: merged.mergeSha, head },
    'revert pull request merged',
  );
  return {
    commit: (clone.service.git.mergeMethod === 'squash' ? (merged.mergeSha ?? head) : merged.headSha) as CommitSha,
    head,
    previousHead: startedFrom,
    workTree: clone.dir,
    status: 'done',
    reverted: prepared.reverted,
    redoneAfterRace: false,
    pullRequest: progressOf(merged, mode, undefined),
  };
}
