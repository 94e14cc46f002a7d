/**
 * The transport under the Vercel client: bearer token, teamId on every call,
 * retries where they are safe (429 after its full Retry-After within the
 * step's deadline, through the token's shared limiter; 5xx and dropped
 * connections with backoff) and a typed error for the rest.
 */
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import { describeVercelError, parseErrorBody } from './errors';
import { type VercelRateLimiter, askedWait, currentScope, limiterFor } from './rate-limit';

export { parseRetryAfter } from './rate-limit';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Attempts for 5xx and dropped connections (first try included). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** Attempts while rate limited (first try included). */
  readonly rateLimitAttempts: number;
  /**
   * Longest rate-limit wait outside a step with a deadline (status, target lookups); longer asks are refused at once.
   */
  readonly maxRetryAfterMs: number;
  /** Jitter added to every wait, as a fraction of it. */
  readonly jitter: number;
}

const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  rateLimitAttempts: 5,
  maxRetryAfterMs: 60_000,
  jitter: 0.2,
};

interface VercelHttpOptions {
  readonly token: string;
  /** VERCEL_API_URL; default https://api.vercel.com. */
  readonly baseUrl?: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  /** The clock rate limits are measured on; default Date.now. */
  readonly now?: () => number;
  /** Default: the process-wide limiter of this token on this API. */
  readonly limiter?: VercelRateLimiter;
}

interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly teamId?: string | undefined;
  readonly body?: unknown;
  /** False for calls that change something: a retry could repeat it, the caller decides after reading state. */
  readonly retryUnsafe?: boolean;
  /** What the call is for, used in error messages ("list deployments of dr-amal"). */
  readonly what: string;
}

export interface CallResult {
  readonly status: number;
  readonly body: unknown;
}

export class VercelHttp {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly limiter: VercelRateLimiter;

  constructor(private readonly options: VercelHttpOptions) {
    if (!options.token) {
      throw new RollbackError('config_invalid', 'No Vercel token configured.', {
        fix: 'Set VERCEL_TOKEN to a Vercel access token scoped to the team that owns the projects.',
      });
    }
    this.baseUrl = (options.baseUrl ?? 'https://api.vercel.com').replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
    this.limiter = options.limiter ?? limiterFor(this.baseUrl, options.token);
  }

  /** Sends one call; resolves with any 2xx or the statuses listed in `accept`, throws RollbackError otherwise. */
  async call(path: string, call: CallOptions, accept: readonly number[] = []): Promise<CallResult> {
    const url = this.url(path, call);
    let failures = 0;
    let rateLimited = 0;
    let waitedOwnLimit = false;
    for (;;) {
      // Another caller's 429 (or a spent budget) pauses this one too; right after our own wait, go.
      if (!waitedOwnLimit) await this.waitForLimiter(call.what);
      waitedOwnLimit = false;
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method: call.method ?? 'GET',
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/json',
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        failures += 1;
        const retryable = call.retryUnsafe !== false;
        if (retryable && failures < this.retry.attempts) {
          await this.backoff(failures, call.what, 'connection failed');
          continue;
        }
        throw new RollbackError(
          'unavailable',
          `Could not reach Vercel to ${call.what}: ${describeNetworkError(error)}.`,
          {
            retryable: true,
            cause: error,
            fix: 'Vercel or the network is failing; check https://www.vercel-status.com and try again.',
            details: { network: true, attempts: failures },
          },
        );
      }
      this.limiter.observe(response.headers);
      const body = await readBody(response);
      if ((response.status >= 200 && response.status < 300) || accept.includes(response.status)) {
        return { status: response.status, body };
      }
      if (response.status === 429) {
        rateLimited += 1;
        if (rateLimited < this.retry.rateLimitAttempts) {
          await this.waitRateLimit(response.headers, rateLimited, call.what);
          waitedOwnLimit = true;
          continue;
        }
      } else if (response.status >= 500 && call.retryUnsafe !== false) {
        failures += 1;
        if (failures < this.retry.attempts) {
          await this.backoff(failures, call.what, `HTTP ${response.status}`);
          continue;
        }
      }
      throw describeVercelError(response.status, parseErrorBody(body), { what: call.what, teamId: call.teamId });
    }
  }

  private url(path: string, call: CallOptions): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    if (call.teamId) url.searchParams.set('teamId', call.teamId);
    return url.toString();
  }

  private withJitter(ms: number): number {
    return Math.round(ms * (1 + this.retry.jitter * this.random()));
  }

  private async backoff(attempt: number, what: string, reason: string): Promise<void> {
    const wait = this.withJitter(this.retry.baseDelayMs * 2 ** (attempt - 1));
    this.options.logger?.warn({ what, reason, waitMs: wait, attempt }, 'vercel call failed, retrying');
    await this.sleep(wait);
  }

  /**
   * After a 429: everyone on this token waits Vercel's full Retry-After (or until X-RateLimit-Reset;
   * without either, exponential backoff), unless that is longer than this caller may wait.
   */
  private async waitRateLimit(headers: Headers, attempt: number, what: string): Promise<void> {
    const now = this.now();
    const asked = askedWait(headers, now);
    const wait = this.withJitter(asked ?? this.retry.baseDelayMs * 2 ** (attempt - 1));
    this.limiter.pause(now + wait);
    this.assertMayWait(wait, what);
    this.options.logger?.warn(
      { what, retryAfter: headers.get('retry-after'), waitMs: wait },
      'vercel rate limit, waiting',
    );
    await this.sleep(wait);
  }

  private async waitForLimiter(what: string): Promise<void> {
    const { priority } = currentScope();
    const wait = this.limiter.waitBefore(priority, this.now());
    if (wait <= 0) return;
    if (priority === 'background') {
      throw new RollbackError(
        'rate_limited',
        `Held back a background call to ${what}: Vercel's rate limit for this token is ` +
          `nearly spent or paused for ${Math.ceil(wait / 1000)} s, and rollbacks come ` +
          `first.`,
        {
          retryable: true,
          fix: 'Nothing to do: the next round tries again once the limit resets.',
        },
      );
    }
    this.assertMayWait(wait, what);
    await this.sleep(wait);
  }

  /** A wait past the step's deadline (or, outside a step, past maxRetryAfterMs) is refused now, not slept through. */
  private assertMayWait(wait: number, what: string): void {
    const { deadline } = currentScope();
    const allowed = deadline === undefined ? this.retry.maxRetryAfterMs : deadline - this.now();
    if (wait <= allowed) return;
    throw new RollbackError(
      'rate_limited',
      `Vercel is rate limiting this token: it asks to wait ${Math.ceil(wait / 1000)} s ` +
        `before the bot may ${what}, ` +
        `${deadline === undefined ? 'longer than the bot waits here' : "past this step's deadline"}.`,
      {
        retryable: true,
        details: { waitMs: wait },
        fix:
          `Try again in ${Math.ceil(wait / 60_000)} min; until then, other callers on this ` +
          `token (probes, status) are paused too so they do not extend the limit.`,
      },
    );
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeNetworkError(error: unknown): string {
  // DOMException (the timeout) is not always an Error instance, so look at its fields.
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError') return 'the request timed out';
  if (typeof message !== 'string') return String(error);
  return typeof cause?.code === 'string' ? `${message} (${cause.code})` : message;
}
