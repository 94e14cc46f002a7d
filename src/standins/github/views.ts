/** The stand-in's state as GitHub's REST objects (pull requests, checks, statuses, reviews, issues, comments). */
import { type Urls, label, nodeId, repository, user } from './shapes';
import type {
  StandinCheckRun,
  StandinComment,
  StandinIssue,
  StandinPull,
  StandinRepo,
  StandinReview,
  StandinStatus,
} from './state';

const href = (url: string) => ({ href: url });

function branchSide(urls: Urls, repo: StandinRepo, ref: string, sha: string): Record<string, unknown> {
  return {
    label: `${repo.facts.owner}:${ref}`,
    ref,
    sha,
    user: user(urls, repo.facts.owner),
    repo: repository(urls, repo.facts),
  };
}

export function pullJson(urls: Urls, repo: StandinRepo, pull: StandinPull, full: boolean): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const self = `${api}/pulls/${pull.number}`;
  const html = `${urls.web}/${repo.fullName}/pull/${pull.number}`;
  const baseSha = repo.git.branchSha(pull.base) ?? pull.headSha;
  const simple: Record<string, unknown> = {
    url: self,
    id: pull.id,
    node_id: nodeId('PR_', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: user(urls, pull.author, 'Bot'),
    body: pull.body,
    labels: [],
    milestone: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeSha,
    assignee: null,
    head: branchSide(urls, repo, pull.head, pull.headSha),
    base: branchSide(urls, repo, pull.base, baseSha),
    _links: {
      self: href(self),
      html: href(html),
      issue: href(`${api}/issues/${pull.number}`),
      comments: href(`${api}/issues/${pull.number}/comments`),
      review_comments: href(`${self}/comments`),
      review_comment: href(`${api}/pulls/comments{/number}`),
      commits: href(`${self}/commits`),
      statuses: href(`${api}/statuses/${pull.headSha}`),
    },
    author_association: 'NONE',
    auto_merge: pull.autoMerge
      ? {
          enabled_by: user(urls, pull.autoMerge.enabledBy, 'Bot'),
          merge_method: pull.autoMerge.method,
          commit_title: pull.title,
          commit_message: pull.body,
        }
      : null,
    draft: false,
  };
  if (!full) return simple;
  const blocker = pull.state === 'open' ? repo.mergeBlocker(pull) : undefined;
  const commits = pull.merged ? 1 : repo.git.commitsBetween(baseSha, pull.headSha).length;
  return {
    ...simple,
    merged: pull.merged,
    mergeable: pull.state === 'open' ? true : null,
    rebaseable: null,
    mergeable_state: pull.state !== 'open' ? 'unknown' : blocker ? 'blocked' : 'clean',
    merged_by: pull.mergedBy ? user(urls, pull.mergedBy) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function checkRunJson(urls: Urls, repo: StandinRepo, run: StandinCheckRun): Record<string, unknown> {
  const url = `${urls.api}/repos/${repo.fullName}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.sha,
    node_id: nodeId('CR_', run.id),
    external_id: String(run.id),
    url,
    html_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    details_url: `${urls.web}/${repo.fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1 },
    app: null,
    pull_requests: [],
  };
}

export function statusJson(urls: Urls, repo: StandinRepo, status: StandinStatus): Record<string, unknown> {
  return {
    url: `${urls.api}/repos/${repo.fullName}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('SC_', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: user(urls, 'ci-bot', 'Bot'),
  };
}

export function combinedStatusJson(
  urls: Urls,
  repo: StandinRepo,
  sha: string,
  statuses: readonly StandinStatus[],
): Record<string, unknown> {
  const states = statuses.map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error')
    ? 'failure'
    : states.length === 0 || states.some((s) => s === 'pending')
      ? 'pending'
      : 'success';
  return {
    state,
    statuses: statuses.map((s) => {
      const { creator: _creator, ...simple } = statusJson(urls, repo, s);
      return simple;
    }),
    sha,
    total_count: statuses.length,
    repository: repository(urls, repo.facts),
    commit_url: `${urls.api}/repos/${repo.fullName}/commits/${sha}`,
    url: `${urls.api}/repos/${repo.fullName}/commits/${sha}/status`,
  };
}

export function reviewJson(urls: Urls, repo: StandinRepo, review: StandinReview): Record<string, unknown> {
  const html = `${urls.web}/${repo.fullName}/pull/${review.pull}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: nodeId('PRR_', review.id),
    user: user(urls, review.user),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: `${urls.api}/repos/${repo.fullName}/pulls/${review.pull}`,
    _links: { html: href(html), pull_request: href(`${urls.api}/repos/${repo.fullName}/pulls/${review.pull}`) },
    commit_id: review.commitId,
    author_association: 'MEMBER',
  };
}

export function issueJson(urls: Urls, repo: StandinRepo, issue: StandinIssue): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId('I_', issue.id),
    url: api,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${urls.web}/${repo.fullName}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: user(urls, issue.author, 'Bot'),
    labels: issue.labels.map((name) => label(urls, repo.facts, name)),
    assignee: null,
    milestone: null,
    locked: false,
    comments: repo.comments.filter((c) => c.issue === issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: 'NONE',
  };
}

export function commentJson(urls: Urls, repo: StandinRepo, comment: StandinComment): Record<string, unknown> {
  return {
    id: comment.id,
    node_id: nodeId('IC_', comment.id),
    url: `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repo.fullName}/issues/${comment.issue}#issuecomment-${comment.id}`,
    body: comment.body,
    user: user(urls, comment.author, 'Bot'),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${comment.issue}`,
    author_association: 'NONE',
  };
}
