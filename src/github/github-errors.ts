/**
 * GitHub's answers turned into RollbackErrors at the border: the status and
 * GitHub's own message kept in details, a sentence an operator can act on,
 * and whether waiting may help. Tokens never appear: Octokit's errors carry
 * the request, so only the method, the path and the answer are read.
 */
import { RollbackError, type ErrorCode } from '../rollback/errors';

interface GitHubFailureFacts {
  readonly status: number | undefined;
  readonly githubMessage: string;
  /** What the bot was doing, e.g. "open the revert pull request". */
  readonly operation: string;
  readonly repo: string;
}

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

function messageOf(error: OctokitLikeError): string {
  const data = error.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const base = typeof data?.message === 'string' ? data.message : String(error.message ?? 'no answer');
  const details = Array.isArray(data?.errors)
    ? data.errors
        .map((entry) =>
          typeof entry === 'string'
            ? entry
            : typeof (entry as { message?: unknown }).message === 'string'
              ? (entry as { message: string }).message
              : '',
        )
        .filter(Boolean)
    : [];
  return [base, ...details].join('; ').slice(0, 500);
}

export function headerOf(error: unknown, name: string): string | undefined {
  const value = (error as OctokitLikeError).response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as OctokitLikeError).status;
  return typeof status === 'number' ? status : undefined;
}

export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  return (
    headerOf(error, 'retry-after') !== undefined ||
    headerOf(error, 'x-ratelimit-remaining') === '0' ||
    /rate limit/i.test(messageOf(error as OctokitLikeError))
  );
}

function classify(status: number | undefined, error: unknown): { code: ErrorCode; retryable: boolean } {
  if (isRateLimited(error)) return { code: 'rate_limited', retryable: true };
  if (status === undefined || status >= 500) return { code: 'unavailable', retryable: true };
  if (status === 401 || status === 403) return { code: 'forbidden', retryable: false };
  if (status === 404) return { code: 'not_found', retryable: false };
  if (status === 405 || status === 409) return { code: 'conflict', retryable: false };
  return { code: 'bad_input', retryable: false };
}

function fixFor(code: ErrorCode, facts: GitHubFailureFacts): string {
  switch (code) {
    case 'rate_limited':
      return 'GitHub is limiting the bot’s requests: the step can be run again in a few minutes.';
    case 'unavailable':
      return 'GitHub could not be reached or failed: check githubstatus.com, then run it again.';
    case 'forbidden':
      return facts.status === 401
        ? 'Check the token (git.github.tokenEnv) or the GitHub App variables: they must be ' +
            'set, unexpired and for this repository.'
        : `The token or App may not do this on ${facts.repo}: it needs contents and pull ` +
            `requests (write), checks and statuses (read) and issues (write).`;
    case 'not_found':
      return (
        `Check owner and repo (${facts.repo}) in the services file; GitHub also answers ` +
        `404 when the token cannot see a private repository.`
      );
    case 'conflict':
      return (
        'GitHub refused it in the repository’s present state (see its message); a person ' +
        'may have to act on the pull request.'
      );
    default:
      return 'GitHub rejected the request as invalid (see its message).';
  }
}

export function githubFailure(error: unknown, context: { operation: string; repo: string }): RollbackError {
  if (error instanceof RollbackError) return error;
  const status = statusOf(error);
  const facts: GitHubFailureFacts = { status, githubMessage: messageOf(error as OctokitLikeError), ...context };
  const { code, retryable } = classify(status, error);
  const answer = status === undefined ? 'no answer' : `${status}`;
  return new RollbackError(
    code,
    `GitHub refused to ${context.operation} on ${context.repo} (${answer}: ${facts.githubMessage}).`,
    {
      fix: fixFor(code, facts),
      retryable,
      details: { status: status ?? null, githubMessage: facts.githubMessage, operation: context.operation },
    },
  );
}
