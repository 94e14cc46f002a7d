/**
 * Vercel's `{"error":{"code","message"}}` answers turned into RollbackErrors
 * whose fix tells the operator what to change: the token, the team, the plan,
 * the target.
 */
import { z } from 'zod';
import { RollbackError } from '../rollback/errors';

const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.string().optional(),
        message: z.string().optional(),
        missingToken: z.boolean().optional(),
        invalidToken: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();

interface VercelErrorBody {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly missingToken: boolean;
  readonly invalidToken: boolean;
}

export function parseErrorBody(body: unknown): VercelErrorBody {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return { code: undefined, message: undefined, missingToken: false, invalidToken: false };
  const { error } = parsed.data;
  return {
    code: error.code,
    message: error.message,
    missingToken: error.missingToken === true,
    invalidToken: error.invalidToken === true,
  };
}

interface ErrorContext {
  readonly what: string;
  readonly teamId: string | undefined;
}

export function describeVercelError(status: number, error: VercelErrorBody, context: ErrorContext): RollbackError {
  const said = error.message ? ` Vercel said: "${error.message.slice(0, 300)}"` : '';
  const head = `Vercel refused to ${context.what} (HTTP ${status}${error.code ? `, ${error.code}` : ''}).${said}`;
  const details = { status, vercelCode: error.code };
  if (status === 401 || error.missingToken || error.invalidToken) {
    return new RollbackError('forbidden', head, {
      details,
      fix: 'The Vercel token is missing, expired or revoked: create a new token and set VERCEL_TOKEN.',
    });
  }
  if (status === 403) {
    const fix = context.teamId
      ? `The token cannot act on team ${context.teamId}: check vercel.teamId in the ` +
        `services file and give the token access to that team (or a token created in it).`
      : 'The token cannot act on this project: if the project belongs to a team, set ' +
        'vercel.teamId in the services file; otherwise use a token with access to the ' +
        'project.';
    return new RollbackError('forbidden', head, { details, fix });
  }
  if (status === 402) {
    return new RollbackError('forbidden', head, {
      details,
      fix:
        'The Vercel plan does not allow this: the Hobby plan can only roll back to the ' +
        'production deployment just before the current one. Choose that one, set ' +
        "vercel.rollbackMethod to promote, or upgrade the team's plan.",
    });
  }
  if (status === 404) {
    return new RollbackError('not_found', head, {
      details,
      fix:
        'Check vercel.projectId (and vercel.teamId for team projects) in the services ' +
        'file, and the deployment named.',
    });
  }
  if (status === 409) {
    return new RollbackError('conflict', head, {
      details,
      retryable: true,
      fix: 'Another promote or rollback is running on this project; wait for it to finish and try again.',
    });
  }
  if (status === 429) {
    return new RollbackError('rate_limited', head, {
      details,
      retryable: true,
      fix: 'Vercel is rate limiting this token; wait a minute and try again.',
    });
  }
  if (status >= 500) {
    return new RollbackError('unavailable', head, {
      details,
      retryable: true,
      fix: 'Vercel is failing; check https://www.vercel-status.com and try again.',
    });
  }
  return new RollbackError('bad_input', head, {
    details,
    fix: 'The request was not accepted as sent; check the deployment or project named and the message above.',
  });
}
