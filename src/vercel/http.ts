/**
 * The transport under the Vercel client: bearer token, teamId on every call,
 * retries where they are safe (429 after Retry-After, capped and jittered;
 * 5xx and dropped connections with backoff) and a typed error for the rest.
 */
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import { describeVercelError, parseErrorBody } from './errors';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Attempts for 5xx and dropped connections (first try included). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  /** Attempts while rate limited (first try included). */
  readonly rateLimitAttempts: number;
  /** Longest Retry-After we honour; Vercel may ask for minutes, an incident cannot wait that long per call. */
  readonly maxRetryAfterMs: number;
  /** Jitter added to every wait, as a fraction of it. */
  readonly jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  rateLimitAttempts: 5,
  maxRetryAfterMs: 20_000,
  jitter: 0.2,
};

export interface VercelHttpOptions {
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
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
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
  }

  /** Sends one call; resolves with any 2xx or the statuses listed in `accept`, throws RollbackError otherwise. */
  async call(path: string, call: CallOptions, accept: readonly number[] = []): Promise<CallResult> {
    const url = this.url(path, call);
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
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
        throw new RollbackError('unavailable', `Could not reach Vercel to ${call.what}: ${describeNetworkError(error)}.`, {
          retryable: true,
          cause: error,
          fix: 'Vercel or the network is failing; check https://www.vercel-status.com and try again.',
          details: { network: true, attempts: failures },
        });
      }
      const body = await readBody(response);
      if ((response.status >= 200 && response.status < 300) || accept.includes(response.status)) {
        return { status: response.status, body };
      }
      if (response.status === 429) {
        rateLimited += 1;
        if (rateLimited < this.retry.rateLimitAttempts) {
          await this.waitRetryAfter(response.headers.get('retry-after'), rateLimited, call.what);
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

  private async waitRetryAfter(header: string | null, attempt: number, what: string): Promise<void> {
    const asked = parseRetryAfter(header, Date.now());
    const base = asked ?? this.retry.baseDelayMs * 2 ** (attempt - 1);
    const wait = this.withJitter(Math.min(base, this.retry.maxRetryAfterMs));
    this.options.logger?.warn({ what, retryAfter: header, waitMs: wait }, 'vercel rate limit, waiting');
    await this.sleep(wait);
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
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
