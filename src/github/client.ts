/**
 * One Octokit per GitHub repository setting, authenticated with a token or a
 * GitHub App installation read from the environment. Rate limits are waited
 * out here (retry-after, or the reset time when the quota is spent), a few
 * times and never longer than maxWaitMs; other failures become RollbackErrors
 * at the caller. The token is never logged: Octokit's own log is silenced
 * except its warnings, which carry no credentials.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { GitHubAccess } from '../config/service-schema';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import { headerOf, isRateLimited } from './github-errors';

interface GitHubClientOptions {
  readonly access: GitHubAccess;
  readonly env: NodeJS.ProcessEnv;
  /** https://api.github.com by default; GitHub Enterprise or a stand-in otherwise. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Rate-limit waits per request before giving up (default 3). */
  readonly maxRetries?: number;
  /** The longest single wait (default 90 s); a longer retry-after is reported instead of waited. */
  readonly maxWaitMs?: number;
  readonly now?: () => number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new RollbackError('config_invalid', `The environment variable ${name} (${what}) is empty.`, {
      fix: `Set ${name} in the bot's environment.`,
    });
  }
  return value;
}

/**
 * How long GitHub asks us to wait before the next request, in ms (secondary limits without a header: one minute, as
 * GitHub documents).
 */
function rateLimitWaitMs(error: unknown, now: number): number | undefined {
  if (!isRateLimited(error)) return undefined;
  const retryAfter = Number(headerOf(error, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headerOf(error, 'retry-after') !== undefined)
    return retryAfter * 1000;
  const reset = Number(headerOf(error, 'x-ratelimit-reset'));
  if (headerOf(error, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return 60_000;
}

export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const { access, env } = options;
  const baseUrl = options.apiUrl ?? 'https://api.github.com';
  const log = options.logger.child({ component: 'github' });
  const silent = (): void => undefined;
  const octokitLog = {
    debug: silent,
    info: silent,
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
  const octokit = access.app
    ? new Octokit({
        baseUrl,
        log: octokitLog,
        authStrategy: createAppAuth,
        auth: {
          appId: required(env, access.app.appIdEnv, 'GitHub App id'),
          privateKey: required(env, access.app.privateKeyEnv, 'GitHub App private key'),
          installationId: required(env, access.app.installationIdEnv, 'GitHub App installation id'),
        },
      })
    : new Octokit({ baseUrl, log: octokitLog, auth: required(env, access.tokenEnv ?? 'GITHUB_TOKEN', 'GitHub token') });
  const sleep = options.sleep ?? realSleep;
  const maxRetries = options.maxRetries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 90_000;
  const now = options.now ?? Date.now;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const waitMs = rateLimitWaitMs(error, now());
        if (waitMs === undefined || attempt >= maxRetries || waitMs > maxWaitMs) throw error;
        log.warn(
          { method: requestOptions.method, url: requestOptions.url, waitMs, attempt: attempt + 1 },
          'GitHub rate limit: waiting before retrying',
        );
        await sleep(waitMs);
      }
    }
  });
  return octokit;
}
