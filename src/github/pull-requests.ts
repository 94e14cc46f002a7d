/**
 * PullRequestHost over GitHub's REST API (pulls, reviews, checks) and its
 * GraphQL API (enablePullRequestAutoMerge, which REST does not offer).
 */
import type { Octokit } from '@octokit/rest';
import type { CommitSha } from '../rollback/ids';
import type {
  MergeMethod,
  OpenPullRequest,
  PullRequestHost,
  PullRequestView,
  ReviewState,
} from '../rollback/ports/pull-request';
import { type RepoRef, readCommitChecks, summarizeChecks } from './commit-checks';
import { githubFailure } from './github-errors';

interface RestPull {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  auto_merge: unknown;
  mergeable_state?: string;
  merged_by?: { login: string } | null;
}

/** GitHub refuses to enable auto-merge when the pull request could be merged right away. */
const MERGEABLE_NOW = /clean status|unstable status|is in (clean|unstable)/i;

export class GitHubPullRequests implements PullRequestHost {
  readonly repo: string;

  constructor(
    private readonly octokit: Octokit,
    private readonly ref: RepoRef,
  ) {
    this.repo = `${ref.owner}/${ref.repo}`;
  }

  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw githubFailure(error, { operation, repo: this.repo });
    }
  }

  private async review(number: number): Promise<ReviewState> {
    const reviews = await this.call('read the pull request reviews', () =>
      this.octokit.rest.pulls.listReviews({ ...this.ref, pull_number: number, per_page: 100 }),
    );
    const latest = new Map<string, string>();
    for (const review of reviews.data)
      if (review.user && review.state !== 'COMMENTED') latest.set(review.user.login, review.state);
    const states = [...latest.values()];
    if (states.includes('CHANGES_REQUESTED')) return 'changes_requested';
    return states.includes('APPROVED') ? 'approved' : 'none';
  }

  private async view(pull: RestPull): Promise<PullRequestView> {
    const [checks, review] = await Promise.all([
      readCommitChecks(this.octokit, this.ref, pull.head.sha),
      this.review(pull.number),
    ]);
    const merged = pull.merged_at !== null;
    return {
      number: pull.number,
      url: pull.html_url,
      nodeId: pull.node_id,
      state: merged ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
      headRef: pull.head.ref,
      headSha: pull.head.sha as CommitSha,
      baseRef: pull.base.ref,
      ...(merged && pull.merge_commit_sha ? { mergeSha: pull.merge_commit_sha as CommitSha } : {}),
      ...(pull.merged_by ? { mergedBy: pull.merged_by.login } : {}),
      autoMerge: pull.auto_merge !== null && pull.auto_merge !== undefined,
      mergeableState: pull.mergeable_state ?? 'unknown',
      checks: summarizeChecks(checks),
      review,
    };
  }

  async findByHead(head: string): Promise<PullRequestView | undefined> {
    const listed = await this.call('look for the revert pull request', () =>
      this.octokit.rest.pulls.list({
        ...this.ref,
        head: `${this.ref.owner}:${head}`,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 20,
      }),
    );
    const found =
      listed.data.find((pull) => pull.state === 'open') ?? listed.data.find((pull) => pull.merged_at !== null);
    return found ? this.read(found.number) : undefined;
  }

  async open(input: OpenPullRequest): Promise<PullRequestView> {
    const created = await this.call('open the revert pull request', () =>
      this.octokit.rest.pulls.create({ ...this.ref, ...input, maintainer_can_modify: false }),
    );
    return this.view(created.data);
  }

  async read(number: number): Promise<PullRequestView> {
    const pull = await this.call(`read pull request #${number}`, () =>
      this.octokit.rest.pulls.get({ ...this.ref, pull_number: number }),
    );
    return this.view(pull.data);
  }

  async enableAutoMerge(pull: PullRequestView, method: MergeMethod): Promise<'enabled' | 'mergeable-now'> {
    try {
      await this.octokit.graphql(
        `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
          enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
            pullRequest { number }
          }
        }`,
        { pullRequestId: pull.nodeId, mergeMethod: method.toUpperCase() },
      );
      return 'enabled';
    } catch (error) {
      const messages = ((error as { errors?: { message?: string }[] }).errors ?? [])
        .map((e) => e.message ?? '')
        .join('; ');
      if (MERGEABLE_NOW.test(messages)) return 'mergeable-now';
      if (messages) {
        throw githubFailure(
          { status: 422, message: messages },
          { operation: `enable auto-merge on #${pull.number}`, repo: this.repo },
        );
      }
      throw githubFailure(error, { operation: `enable auto-merge on #${pull.number}`, repo: this.repo });
    }
  }

  async merge(pull: PullRequestView, method: MergeMethod): Promise<CommitSha> {
    const merged = await this.call(`merge pull request #${pull.number}`, () =>
      this.octokit.rest.pulls.merge({ ...this.ref, pull_number: pull.number, merge_method: method, sha: pull.headSha }),
    );
    return merged.data.sha as CommitSha;
  }
}
