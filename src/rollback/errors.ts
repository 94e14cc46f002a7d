/**
 * One error type for everything the bot reports to an operator. Adapters turn
 * outside failures (Vercel, git, pg, Slack) into a RollbackError at the border,
 * so the domain and the Slack layer only ever see a code, whether a retry can
 * help, and a sentence that tells a human what to do next.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'bad_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'unavailable'
  | 'rate_limited'
  | 'timeout'
  | 'illegal_transition'
  | 'approval_required'
  | 'external'
  | 'internal';

interface RollbackErrorOptions {
  /** What the operator should do about it; shown next to the message. */
  fix?: string;
  /** True when trying the same thing again later may succeed. */
  retryable?: boolean;
  cause?: unknown;
  /** Structured facts for logs and the timeline (never secrets). */
  details?: Record<string, unknown>;
}

export class RollbackError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: RollbackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RollbackError';
    this.code = code;
    this.fix = options.fix;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  /** The message and its fix, as one operator-readable sentence pair. */
  explain(): string {
    return this.fix ? `${this.message} ${this.fix}` : this.message;
  }
}

export function isRollbackError(value: unknown): value is RollbackError {
  return value instanceof RollbackError;
}

/** Wraps anything thrown into a RollbackError without losing the original. */
export function asRollbackError(value: unknown, fallback: ErrorCode = 'internal'): RollbackError {
  if (isRollbackError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new RollbackError(fallback, message, { cause: value });
}

/**
 * What a person is told when their command or click was refused. When the bot's
 * own store refused the write (its disk is full), it also says what was and was
 * not done: every command and click is recorded before anything acts, so nothing was.
 */
export function explainRefusal(error: RollbackError): string {
  if (!error.details.storeRefusedWrite) return error.explain();
  const notDone =
    'Nothing was done: nothing was recorded, no incident was opened or changed, and production was not touched.';
  return [error.message, notDone, error.fix].filter(Boolean).join(' ');
}
