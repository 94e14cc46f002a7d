/**
 * The GitHub side of each service, built from its services-file settings:
 * one authenticated client per repository setting, shared by the pull
 * request host, the CI-status reader and the ticket tracker.
 */
import type { Octokit } from '@octokit/rest';
import type { GitHubRepoConfig, ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { RollbackError } from '../rollback/errors';
import type { PullRequestHost } from '../rollback/ports/pull-request';
import { createGitHubClient } from './client';
import { GitHubPullRequests } from './pull-requests';

interface GitHubAccessOptions {
  readonly env: NodeJS.ProcessEnv;
  /** GITHUB_API_URL: GitHub Enterprise or a stand-in; default api.github.com. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class GitHubAccess {
  private readonly clients = new Map<string, Octokit>();

  constructor(private readonly options: GitHubAccessOptions) {}

  /** The client for a repository setting (credentials checked now, so a missing variable is named at once). */
  client(github: Pick<GitHubRepoConfig, 'tokenEnv' | 'app'>): Octokit {
    const key = JSON.stringify([github.tokenEnv, github.app]);
    let client = this.clients.get(key);
    if (!client) {
      client = createGitHubClient({
        access: github,
        env: this.options.env,
        apiUrl: this.options.apiUrl,
        logger: this.options.logger,
        sleep: this.options.sleep,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  repoOf(service: ServiceConfig): GitHubRepoConfig {
    const github = service.git.github;
    if (!github) {
      throw new RollbackError('config_invalid', `${service.name} has no git.github in the services file.`, {
        fix: 'Set git.github: { owner, repo, tokenEnv } (or app) for this service.',
      });
    }
    return github;
  }

  pullRequests(service: ServiceConfig): PullRequestHost {
    const github = this.repoOf(service);
    return new GitHubPullRequests(this.client(github), { owner: github.owner, repo: github.repo });
  }
}
