/**
 * The REST and GraphQL routes the bot uses, answering as GitHub does:
 * `{ message, documentation_url, errors? }` on failure, 404 for what the
 * token cannot see, 405 when protection blocks a merge, 409 when the head
 * moved, 422 for validation, GraphQL errors with HTTP 200.
 */
import { newId, nodeId, type Urls } from './shapes';
import type { StandinPull, StandinRepo } from './state';
import { checkRunJson, combinedStatusJson, commentJson, issueJson, pullJson, reviewJson, statusJson } from './views';

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface RouteContext {
  readonly urls: Urls;
  readonly repo: (owner: string, name: string) => StandinRepo | undefined;
  readonly repos: () => readonly StandinRepo[];
  /** Login of the bot's account, as GitHub shows it (author of pull requests and issues). */
  readonly actor: string;
}

const DOCS = 'https://docs.github.com/rest';
export const githubError = (status: number, message: string, errors?: unknown[]): Answer => ({
  status,
  body: { message, documentation_url: DOCS, ...(errors ? { errors } : {}), status: String(status) },
});
const ok = (body: unknown, status = 200): Answer => ({ status, body });
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function resolveRef(repo: StandinRepo, ref: string): string | undefined {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  return repo.git.branchSha(ref);
}

function openPull(ctx: RouteContext, repo: StandinRepo, body: Record<string, unknown>): Answer {
  const title = text(body.title);
  const base = text(body.base);
  const head = text(body.head)?.replace(`${repo.facts.owner}:`, '');
  if (!title || !base || !head)
    return githubError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'missing_field', field: !title ? 'title' : !base ? 'base' : 'head' },
    ]);
  const headSha = repo.git.branchSha(head);
  if (!headSha)
    return githubError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'invalid', field: 'head' }]);
  if (!repo.git.branchSha(base))
    return githubError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
  if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
    return githubError(422, 'Validation Failed', [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${repo.facts.owner}:${head}.`,
      },
    ]);
  }
  if (repo.git.commitsBetween(base, headSha).length === 0)
    return githubError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
    ]);
  const at = repo.stamp();
  const pull: StandinPull = {
    id: newId(),
    number: repo.nextNumber(),
    title,
    body: text(body.body) ?? '',
    head,
    base,
    headSha,
    state: 'open',
    merged: false,
    mergeSha: null,
    mergedBy: null,
    closedAt: null,
    mergedAt: null,
    createdAt: at,
    updatedAt: at,
    author: ctx.actor,
    autoMerge: null,
  };
  repo.pulls.push(pull);
  return {
    status: 201,
    body: pullJson(ctx.urls, repo, pull, true),
    headers: { location: `${ctx.urls.api}/repos/${repo.fullName}/pulls/${pull.number}` },
  };
}

function mergePull(ctx: RouteContext, repo: StandinRepo, pull: StandinPull, body: Record<string, unknown>): Answer {
  const method = text(body.merge_method) ?? 'merge';
  if (method !== 'merge' && method !== 'squash')
    return githubError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'invalid', field: 'merge_method' }]);
  pull.headSha = repo.git.branchSha(pull.head) ?? pull.headSha;
  if (text(body.sha) && text(body.sha) !== pull.headSha)
    return githubError(409, 'Head branch was modified. Review and try the merge again.');
  const merged = repo.mergePull(pull, method, ctx.actor);
  if ('status' in merged) return githubError(merged.status, merged.message);
  return ok({ sha: merged.sha, merged: true, message: 'Pull Request successfully merged' });
}

function issues(
  ctx: RouteContext,
  repo: StandinRepo,
  method: string,
  rest: string[],
  body: Record<string, unknown>,
  query: URLSearchParams,
): Answer | undefined {
  const [number, sub] = rest;
  if (number === undefined) {
    if (method === 'GET') {
      const state = query.get('state') ?? 'open';
      const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
      const found = repo.issues.filter(
        (i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)),
      );
      return ok(found.map((i) => issueJson(ctx.urls, repo, i)).reverse());
    }
    if (method !== 'POST') return undefined;
    const title = text(body.title);
    if (!title)
      return githubError(422, 'Validation Failed', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
    const at = repo.stamp();
    const labels = Array.isArray(body.labels) ? body.labels.filter((l): l is string => typeof l === 'string') : [];
    const issue = {
      id: newId(),
      number: repo.nextNumber(),
      title,
      body: text(body.body) ?? null,
      labels,
      state: 'open' as const,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      author: ctx.actor,
    };
    repo.issues.push(issue);
    return {
      status: 201,
      body: issueJson(ctx.urls, repo, issue),
      headers: { location: `${ctx.urls.api}/repos/${repo.fullName}/issues/${issue.number}` },
    };
  }
  const issue = repo.issues.find((i) => i.number === Number(number));
  if (!issue) return githubError(404, 'Not Found');
  if (sub === 'comments') {
    if (method === 'GET')
      return ok(repo.comments.filter((c) => c.issue === issue.number).map((c) => commentJson(ctx.urls, repo, c)));
    if (method !== 'POST') return undefined;
    const text_ = text(body.body);
    if (!text_)
      return githubError(422, 'Validation Failed', [
        { resource: 'IssueComment', code: 'missing_field', field: 'body' },
      ]);
    if (text_.length > 65_536)
      return githubError(422, 'Validation Failed', [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ]);
    const comment = { id: newId(), issue: issue.number, body: text_, author: ctx.actor, createdAt: repo.stamp() };
    repo.comments.push(comment);
    return { status: 201, body: commentJson(ctx.urls, repo, comment) };
  }
  if (sub !== undefined) return undefined;
  if (method === 'PATCH') {
    const at = repo.stamp();
    if (body.state === 'closed' && issue.state === 'open') Object.assign(issue, { state: 'closed', closedAt: at });
    if (body.state === 'open') Object.assign(issue, { state: 'open', closedAt: null });
    if (text(body.body) !== undefined) issue.body = text(body.body) ?? null;
    issue.updatedAt = at;
  } else if (method !== 'GET') return undefined;
  return ok(issueJson(ctx.urls, repo, issue));
}

/** One REST call on a repository: `rest` is the path after /repos/{owner}/{repo}/. */
export function repoRoute(
  ctx: RouteContext,
  repo: StandinRepo,
  method: string,
  rest: string[],
  body: Record<string, unknown>,
  query: URLSearchParams,
): Answer | undefined {
  const [area, first, second] = rest;
  if (area === 'pulls') {
    if (first === undefined) {
      if (method === 'POST') return openPull(ctx, repo, body);
      if (method !== 'GET') return undefined;
      const state = query.get('state') ?? 'open';
      const head = query.get('head')?.replace(`${repo.facts.owner}:`, '');
      const found = repo.pulls.filter((p) => (state === 'all' || p.state === state) && (!head || p.head === head));
      return ok([...found].reverse().map((p) => pullJson(ctx.urls, repo, p, false)));
    }
    const pull = repo.pull(Number(first));
    if (!pull) return githubError(404, 'Not Found');
    if (second === undefined && method === 'GET') return ok(pullJson(ctx.urls, repo, pull, true));
    if (second === 'merge' && method === 'PUT') return mergePull(ctx, repo, pull, body);
    if (second === 'reviews' && method === 'GET')
      return ok(repo.reviews.filter((r) => r.pull === pull.number).map((r) => reviewJson(ctx.urls, repo, r)));
    return undefined;
  }
  if (area === 'commits' && first && method === 'GET') {
    const sha = resolveRef(repo, first);
    if (!sha) return githubError(422, `No commit found for SHA: ${first}`);
    const { runs, statuses } = repo.checksOn(sha);
    if (second === 'check-runs')
      return ok({ total_count: runs.length, check_runs: runs.map((r) => checkRunJson(ctx.urls, repo, r)) });
    if (second === 'status') return ok(combinedStatusJson(ctx.urls, repo, sha, statuses));
    return undefined;
  }
  if (area === 'check-runs' && first === undefined && method === 'POST') {
    const name = text(body.name);
    const sha = text(body.head_sha);
    if (!name || !sha)
      return githubError(422, 'Validation Failed', [
        { resource: 'CheckRun', code: 'missing_field', field: !name ? 'name' : 'head_sha' },
      ]);
    const output = (body.output ?? {}) as { title?: string; summary?: string };
    const conclusion = (text(body.conclusion) ?? null) as Parameters<StandinRepo['reportCheck']>[2];
    return ok(checkRunJson(ctx.urls, repo, repo.reportCheck(sha, name, conclusion, output)), 201);
  }
  if (area === 'statuses' && first && method === 'POST') {
    const state = text(body.state);
    if (!state || !['error', 'failure', 'pending', 'success'].includes(state))
      return githubError(422, 'Validation Failed', [{ resource: 'Status', code: 'invalid', field: 'state' }]);
    const status = repo.reportStatus(
      first,
      text(body.context) ?? 'default',
      state as 'success',
      text(body.description) ?? null,
      text(body.target_url) ?? null,
    );
    return ok(statusJson(ctx.urls, repo, status), 201);
  }
  if (area === 'issues') return issues(ctx, repo, method, rest.slice(1), body, query);
  return undefined;
}

/** GraphQL: the one mutation the bot sends (REST cannot enable auto-merge). */
export function graphqlRoute(ctx: RouteContext, body: Record<string, unknown>): Answer {
  const query = text(body.query) ?? '';
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  const failure = (message: string, type = 'UNPROCESSABLE'): Answer =>
    ok({
      data: { enablePullRequestAutoMerge: null },
      errors: [{ type, path: ['enablePullRequestAutoMerge'], message }],
    });
  if (!/enablePullRequestAutoMerge/.test(query))
    return ok({ errors: [{ message: 'The stand-in answers only enablePullRequestAutoMerge.' }] });
  const id = text(variables.pullRequestId);
  const method = (text(variables.mergeMethod) ?? 'MERGE').toLowerCase();
  for (const repo of ctx.repos()) {
    const pull = repo.pulls.find((p) => nodeId('PR_', p.id) === id);
    if (!pull) continue;
    if (!repo.allowAutoMerge) return failure('Auto merge is not allowed for this repository');
    if (pull.state !== 'open') return failure('Pull request is closed');
    if (method !== 'merge' && method !== 'squash')
      return failure(`Merge method ${method} is not allowed on this repository`);
    if (!repo.mergeBlocker(pull)) return failure('Pull request is in clean status');
    pull.autoMerge = { method, enabledBy: ctx.actor };
    return ok({ data: { enablePullRequestAutoMerge: { pullRequest: { number: pull.number } } } });
  }
  return failure(`Could not resolve to a node with the global id of '${id ?? ''}'`, 'NOT_FOUND');
}
