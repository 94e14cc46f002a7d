/**
 * One rate limiter per Vercel token (and API), shared by every caller in the
 * process: rollback steps, probes and /rollback status. A 429 pauses them
 * all until Vercel's Retry-After (or X-RateLimit-Reset); when few calls are
 * left in the window, background callers are held back so a rollback never
 * finds the budget spent. The step's deadline travels with the call (an
 * AsyncLocalStorage scope), so a wait longer than the step may take is
 * refused at once instead of slept through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type CallPriority = 'rollback' | 'background';

interface CallScope {
  /** Epoch ms the current step must finish by. */
  readonly deadline?: number | undefined;
  readonly priority: CallPriority;
}

const scopes = new AsyncLocalStorage<CallScope>();

/** Runs `fn` with a deadline and priority every Vercel call inside it honours. */
export function withCallScope<T>(scope: CallScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

export function currentScope(): CallScope {
  return scopes.getStore() ?? { priority: 'rollback' };
}

interface RateLimitHeaders {
  get(name: string): string | null;
}

export class VercelRateLimiter {
  private pausedUntil = 0;
  private remaining: number | undefined;
  private limit: number | undefined;
  private resetAt: number | undefined;

  /** Calls left for background callers are never fewer than this share of the window. */
  constructor(private readonly reserveShare = 0.2) {}

  /** How long a caller of this priority must wait before its next call, in ms. */
  waitBefore(priority: CallPriority, now: number): number {
    const paused = Math.max(0, this.pausedUntil - now);
    if (priority === 'rollback' || this.remaining === undefined || this.resetAt === undefined || this.resetAt <= now)
      return paused;
    const reserve = Math.max(2, Math.ceil((this.limit ?? 100) * this.reserveShare));
    return this.remaining <= reserve ? Math.max(paused, this.resetAt - now) : paused;
  }

  /** Reads X-RateLimit-Remaining/Limit/Reset (epoch seconds) from any answer. */
  observe(headers: RateLimitHeaders): void {
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const limit = numberHeader(headers, 'x-ratelimit-limit');
    const reset = numberHeader(headers, 'x-ratelimit-reset');
    if (remaining !== undefined) this.remaining = remaining;
    if (limit !== undefined) this.limit = limit;
    if (reset !== undefined) this.resetAt = reset * 1000;
  }

  /** Everyone on this token waits until `until` (epoch ms). */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

function numberHeader(headers: RateLimitHeaders, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const limiters = new Map<string, VercelRateLimiter>();

/** The process-wide limiter of a token on an API. */
export function limiterFor(baseUrl: string, token: string): VercelRateLimiter {
  const key = `${baseUrl} ${token}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new VercelRateLimiter();
    limiters.set(key, limiter);
  }
  return limiter;
}

/**
 * How long Vercel asks to wait after a 429: Retry-After (seconds or an HTTP date),
 * else X-RateLimit-Reset (epoch seconds); undefined when it says neither.
 */
export function askedWait(headers: RateLimitHeaders, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  return reset === undefined ? undefined : Math.max(0, reset * 1000 - now);
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
