/**
 * A revert that goes through a pull request (protected deploy branch): the
 * code host as the git adapter sees it. GitHub implements it (src/github);
 * the facts here are what the incident thread shows while the pull request
 * waits: its link, its checks and its review state.
 */
import type { CommitSha } from '../ids';

/** One CI check on a commit (a check run or a commit status), reduced to what the runbook asks. */
export interface CommitCheck {
  readonly name: string;
  readonly source: 'check-run' | 'status';
  readonly outcome: 'pass' | 'fail' | 'pending';
  /** GitHub's conclusion or state, as it said it. */
  readonly detail: string;
  /** Test counts when the check reported them (title or summary such as "45 passed, 3 failed"). */
  readonly counts?: { readonly passed: number; readonly failed: number };
  readonly url?: string;
}

export interface ChecksSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  /** Names of the failing checks. */
  readonly failing: readonly string[];
}

export type ReviewState = 'approved' | 'changes_requested' | 'none';

export interface PullRequestView {
  readonly number: number;
  readonly url: string;
  /** GraphQL id, for auto-merge. */
  readonly nodeId: string;
  readonly state: 'open' | 'merged' | 'closed';
  readonly headRef: string;
  readonly headSha: CommitSha;
  readonly baseRef: string;
  /** The commit the merge put on the base branch. */
  readonly mergeSha?: CommitSha;
  readonly mergedBy?: string;
  readonly autoMerge: boolean;
  /** GitHub's mergeable_state (clean, blocked, behind, dirty, unstable, unknown). */
  readonly mergeableState: string;
  readonly checks: ChecksSummary;
  readonly review: ReviewState;
}

export interface OpenPullRequest {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
}

export type MergeMethod = 'merge' | 'squash';

export interface PullRequestHost {
  /** The repository, as owner/repo, for messages. */
  readonly repo: string;
  /** The open pull request from `head`, else the newest merged one; closed ones are ignored. */
  findByHead(head: string): Promise<PullRequestView | undefined>;
  open(input: OpenPullRequest): Promise<PullRequestView>;
  read(number: number): Promise<PullRequestView>;
  /** 'enabled', or 'mergeable-now' when GitHub refuses auto-merge because nothing is left to wait for. */
  enableAutoMerge(pull: PullRequestView, method: MergeMethod): Promise<'enabled' | 'mergeable-now'>;
  /**
   * Merges now; a refusal (required checks or reviews, conflicts) comes back as a RollbackError with GitHub's reason.
   */
  merge(pull: PullRequestView, method: MergeMethod): Promise<CommitSha>;
}
