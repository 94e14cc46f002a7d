/**
 * The drill's GitHub-protected variant (`--github-protected`): the scratch
 * origin is served by the GitHub stand-in, and before the git revert step
 * main gets branch protection requiring the "test" check, as most teams
 * have it. The bot's revert then goes through a pull request that
 * auto-merges when CI (played by the drill) passes.
 */
import { randomBytes } from 'node:crypto';
import type { ServiceConfig } from '../config/service-schema';
import { GitHubAccess } from '../github/github-access';
import type { Logger } from '../logger';
import type { PullRequestHost } from '../rollback/ports/pull-request';
import { type GitHubStandin, startGitHubStandin } from '../standins/github/server';
import type { StandinRepo } from '../standins/github/state';

const DRILL_GITHUB = { owner: 'dr-amal', repo: 'clinical-os', tokenEnv: 'DRILL_GITHUB_TOKEN' } as const;
export const REQUIRED_CHECK = 'test';

export interface DrillGitHub {
  readonly standin: GitHubStandin;
  readonly repo: StandinRepo;
  /** The variables the bot reads (token, API URL). */
  readonly env: Record<string, string>;
  /** The services file's git settings for the variant. */
  readonly gitSettings: Record<string, unknown>;
  pullRequests(logger: Logger): (service: ServiceConfig) => PullRequestHost;
  /** Turns branch protection on for main (the developer's pushes before it went straight in). */
  protectMain(): void;
  /** Off again after the revert step: the later steps rehearse other parts of the runbook. */
  unprotectMain(): void;
}

export async function startDrillGitHub(origin: string): Promise<DrillGitHub> {
  const token = `ghp_drill${randomBytes(16).toString('hex')}`;
  const standin = await startGitHubStandin({ token });
  const repo = standin.addRepo(DRILL_GITHUB.owner, DRILL_GITHUB.repo, origin);
  const env = { [DRILL_GITHUB.tokenEnv]: token, GITHUB_API_URL: standin.url };
  return {
    standin,
    repo,
    env,
    gitSettings: {
      github: { owner: DRILL_GITHUB.owner, repo: DRILL_GITHUB.repo, tokenEnv: DRILL_GITHUB.tokenEnv },
      via: 'pull-request',
      merge: 'auto',
    },
    pullRequests: (logger) => {
      const access = new GitHubAccess({ env, apiUrl: standin.url, logger });
      return (service) => access.pullRequests(service);
    },
    protectMain: () => repo.protect('main', { requiredChecks: [REQUIRED_CHECK] }),
    unprotectMain: () => repo.unprotect('main'),
  };
}
