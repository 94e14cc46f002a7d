/**
 * Shared validation for alert webhooks: a body that does not match the tool's
 * documented format is refused with the first problem named, so the HTTP layer
 * can answer 400 with a reason and store nothing.
 */
import { z } from 'zod';
import { RollbackError } from '../errors';

/** Go's zero time, which both tools send for "no end yet". */
const GO_ZERO_TIME = /^0001-01-01T/;

export const rfc3339 = z.string().refine((raw) => GO_ZERO_TIME.test(raw) || !Number.isNaN(Date.parse(raw)), {
  message: 'expected an RFC 3339 time such as 2026-01-17T10:00:00Z',
});

export const stringMap = z.record(z.string(), z.string());

export function optionalTime(raw: string | undefined): Date | undefined {
  if (raw === undefined || GO_ZERO_TIME.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown, tool: string, docs: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new RollbackError(
    'bad_input',
    `The ${tool} webhook body is malformed at ${where}: ${issue?.message ?? 'invalid'}.`,
    {
      fix: `Send ${tool}'s own webhook JSON unchanged (${docs}).`,
      details: { tool, path: where },
    },
  );
}
