/**
 * The services file's git and GitHub blocks: the deploy branch's remote and
 * how a revert reaches it (push or pull request), the GitHub repository and
 * its credentials, and where the incident ticket is opened.
 */
import { z } from 'zod';
import { envVarName } from './env-var-name';

/**
 * GitHub credentials: a token, or a GitHub App installation (each value read from the named variable, never written to
 * logs or Slack).
 */
const githubAccessSchema = {
  tokenEnv: envVarName.optional(),
  app: z.strictObject({ appIdEnv: envVarName, privateKeyEnv: envVarName, installationIdEnv: envVarName }).optional(),
};

const githubName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected a GitHub owner or repository name');

export const githubRepoSchema = z
  .strictObject({ owner: githubName, repo: githubName, ...githubAccessSchema })
  .refine((github) => (github.tokenEnv === undefined) !== (github.app === undefined), {
    message: 'set exactly one of tokenEnv or app',
  });

/** How a revert pull request gets merged: auto-merge once checks pass, at once, or by a person. */
const MERGE_MODES = ['auto', 'immediate', 'manual'] as const;

export const gitSchema = z.strictObject({
  remote: z.string().min(1, 'expected the git remote URL'),
  branch: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'expected a branch name such as main')
    .default('main'),
  /** Env var holding an HTTPS token; never written to logs or Slack. */
  tokenEnv: envVarName.optional(),
  /** Env var holding the path of an SSH private key. */
  sshKeyEnv: envVarName.optional(),
  committer: z
    .strictObject({ name: z.string().min(1), email: z.email() })
    .default({ name: 'rollback-bot', email: 'rollback-bot@users.noreply.local' }),
  /** The repository on GitHub: revert pull requests, CI status in preflight. */
  github: githubRepoSchema.optional(),
  /** Option A pushes to the deploy branch, or (protected branch) goes through a pull request. */
  via: z.enum(['push', 'pull-request']).default('push'),
  merge: z.enum(MERGE_MODES).default('auto'),
  mergeMethod: z.enum(['merge', 'squash']).default('merge'),
  /** How long a revert pull request may stay open before the step reports it still waits. */
  mergeDeadlineMinutes: z.number().int().min(1).max(1440).default(240),
  /** Which CI checks count for preflight (case-insensitive regular expressions over check names). */
  checks: z
    .strictObject({
      tests: z.array(z.string().min(1)).default(['test']),
      typescript: z.array(z.string().min(1)).default(['typecheck', 'tsc', 'typescript', 'build']),
    })
    .default({ tests: ['test'], typescript: ['typecheck', 'tsc', 'typescript', 'build'] }),
});

/** Where the incident ticket is opened (GitHub Issues; credentials default to git.github's). */
export const ticketsSchema = z.strictObject({
  github: z
    .strictObject({
      owner: githubName,
      repo: githubName,
      labels: z.array(z.string().min(1).max(50)).default(['incident']),
      ...githubAccessSchema,
    })
    .optional(),
});
