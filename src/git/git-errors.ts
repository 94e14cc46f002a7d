/**
 * git failures turned into RollbackErrors at the border: what went wrong in
 * words an operator can act on, whether a retry may help, and the reason in
 * details.reason for the engine. git's own text is kept (secrets removed) in
 * details.gitOutput for the timeline.
 */
import { RollbackError } from '../rollback/errors';
import type { GitFailureReason } from '../rollback/ports/code';
import { redactSecrets } from './git-env';

interface GitErrorContext {
  readonly service: string;
  readonly branch: string;
  /** What the bot was doing, e.g. "fetch", "push". */
  readonly operation: string;
  readonly secrets: readonly string[];
}

const AUTH = [
  /authentication failed/i,
  /could not read (username|password)/i,
  /terminal prompts disabled/i,
  /permission denied \(publickey/i,
  /returned error: 40[13]/i,
  /host key verification failed/i,
  /repository not found/i,
  /invalid username or password/i,
];
const UNREACHABLE = [
  /could not resolve host/i,
  /failed to connect/i,
  /connection (refused|timed out|reset)/i,
  /could not read from remote repository/i,
  /does not appear to be a git repository/i,
  /repository '[^']*' does not exist/i,
  /returned error: 5\d\d/i,
  /operation timed out/i,
  /block timeout reached/i,
  /unable to access/i,
];
const PROTECTED = [/protected branch/i, /GH006/, /hook declined/i, /\[remote rejected\]/i];
const NON_FAST_FORWARD = [
  /\[rejected\]/i,
  /non-fast-forward/i,
  /fetch first/i,
  /stale info/i,
  /updates were rejected/i,
];

export function gitOutputOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function matches(text: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(text));
}

/**
 * The remote moved between the ref advertisement and the update: a lost race, even though it says "remote rejected".
 */
const LOST_RACE_ON_REMOTE = [/cannot lock ref[^\n]*but expected/i, /incorrect old value provided/i];

export function classifyGitOutput(text: string): GitFailureReason {
  if (matches(text, LOST_RACE_ON_REMOTE)) return 'non_fast_forward';
  if (matches(text, PROTECTED)) return 'protected_branch';
  if (matches(text, AUTH)) return 'auth_failed';
  if (matches(text, NON_FAST_FORWARD)) return 'non_fast_forward';
  if (matches(text, UNREACHABLE)) return 'remote_unreachable';
  if (/CONFLICT|could not revert|after resolving the conflicts/i.test(text)) return 'merge_conflict';
  return 'git_failed';
}

export function gitFailure(
  reason: GitFailureReason,
  message: string,
  options: {
    fix: string;
    retryable?: boolean;
    details?: Record<string, unknown>;
    gitOutput?: string;
    secrets?: readonly string[];
  },
): RollbackError {
  const secrets = options.secrets ?? [];
  const gitOutput =
    options.gitOutput === undefined ? undefined : redactSecrets(options.gitOutput, secrets).trim().slice(0, 2000);
  const code =
    reason === 'auth_failed' || reason === 'protected_branch'
      ? 'forbidden'
      : reason === 'remote_unreachable'
        ? 'unavailable'
        : reason === 'git_failed'
          ? 'external'
          : 'conflict';
  return new RollbackError(code, redactSecrets(message, secrets), {
    fix: options.fix,
    retryable: options.retryable ?? false,
    details: { reason, ...(gitOutput === undefined ? {} : { gitOutput }), ...options.details },
  });
}

/** Translates a failed git command; merge conflicts are handled by the caller, which knows the files. */
export function translateGitError(error: unknown, context: GitErrorContext): RollbackError {
  const output = gitOutputOf(error);
  const reason = classifyGitOutput(output);
  const where = `${context.service} (${context.branch})`;
  const common = { gitOutput: output, secrets: context.secrets, details: { operation: context.operation } };
  switch (reason) {
    case 'auth_failed':
      return gitFailure(
        reason,
        `git ${context.operation} for ${where} was refused: the credentials were not accepted.`,
        {
          ...common,
          fix:
            'Check the token (git.tokenEnv) or SSH key (git.sshKeyEnv) configured for this ' +
            'service: it must exist, be unexpired and may push to the deploy branch; for SSH ' +
            'the host key must be in known_hosts.',
        },
      );
    case 'protected_branch':
      return context.operation.includes('force-with-lease')
        ? gitFailure(
            reason,
            `Branch protection forbids the reset of ${context.branch} of ${context.service}: ` +
              `Option B rewrites history, which the protected branch refuses (a server-side ` +
              `hook declined the push).`,
            {
              ...common,
              fix:
                'Use Option A (git revert), which can go through a pull request (git.via: ' +
                'pull-request); a reset needs a repository admin to lift the protection for it.',
            },
          )
        : gitFailure(
            reason,
            `The remote refused the push to ${context.branch} of ${context.service}: the ` +
              `branch is protected (a server-side hook declined it).`,
            {
              ...common,
              fix:
                'Set git.via: pull-request (with git.github) in the services file so the bot ' +
                'reverts through a pull request, or allow the bot’s account to push to the branch ' +
                'in the branch protection rules.',
            },
          );
    case 'non_fast_forward':
      return gitFailure(reason, `The push to ${where} was rejected because the branch moved on the remote meanwhile.`, {
        ...common,
        retryable: true,
        fix: 'Someone is pushing to the deploy branch right now: ask them to hold, then run the rollback again.',
      });
    case 'remote_unreachable':
      return gitFailure(reason, `The git remote of ${where} cannot be reached (git ${context.operation}).`, {
        ...common,
        retryable: true,
        fix: 'Check git.remote in the services file, the network and the git host’s status page, then try again.',
      });
    case 'merge_conflict':
      return gitFailure(reason, `git ${context.operation} for ${where} hit a conflict.`, {
        ...common,
        fix: 'Resolve the rollback by hand in a pull request.',
      });
    default:
      return gitFailure('git_failed', `git ${context.operation} for ${where} failed.`, {
        ...common,
        fix:
          'See the git output in the incident timeline; if it names a local problem (disk ' +
          'full, permissions on the workspace), fix it and try again.',
      });
  }
}
