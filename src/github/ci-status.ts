/** The preflight's CiStatusPort over GitHub: the candidate's check runs and commit statuses. */
import type { ServiceConfig } from '../config/service-schema';
import type { CommitSha } from '../rollback/ids';
import type { CommitCheck } from '../rollback/ports/pull-request';
import type { CiStatusPort } from '../rollback/preflight/ports';
import { readCommitChecks } from './commit-checks';
import type { GitHubAccess } from './github-access';

export class GitHubCiStatus implements CiStatusPort {
  constructor(
    private readonly access: GitHubAccess,
    private readonly webUrl = 'https://github.com',
  ) {}

  commitChecks(service: ServiceConfig, commit: CommitSha): Promise<readonly CommitCheck[]> {
    const github = this.access.repoOf(service);
    return readCommitChecks(this.access.client(github), { owner: github.owner, repo: github.repo }, commit);
  }

  compareUrl(service: ServiceConfig, from: CommitSha, to: CommitSha): string {
    const github = this.access.repoOf(service);
    return `${this.webUrl}/${github.owner}/${github.repo}/compare/${from}...${to}`;
  }
}
