/**
 * The incident ticket as a GitHub issue (tickets.github). Each issue carries
 * a hidden marker with the incident id, so the ticket is found again after a
 * restart instead of opened twice; credentials default to git.github's.
 */
import type { ServiceConfig } from '../config/service-schema';
import { RollbackError } from '../rollback/errors';
import type { TicketContent, TicketRef, TicketTracker } from '../rollback/ports/tickets';
import type { GitHubAccess } from './github-access';
import { githubFailure } from './github-errors';

const marker = (incidentId: string): string => `<!-- rollback-bot incident ${incidentId} -->`;

export class GitHubIssues implements TicketTracker {
  constructor(private readonly access: GitHubAccess) {}

  serves(service: ServiceConfig): boolean {
    return service.tickets?.github !== undefined;
  }

  private where(service: ServiceConfig) {
    const ticket = service.tickets?.github;
    if (!ticket)
      throw new RollbackError('config_invalid', `${service.name} has no tickets.github in the services file.`, {
        fix: 'Set tickets.github: { owner, repo } for this service.',
      });
    const credentials = ticket.tokenEnv || ticket.app ? ticket : this.access.repoOf(service);
    const repo = `${ticket.owner}/${ticket.repo}`;
    return {
      octokit: this.access.client(credentials),
      params: { owner: ticket.owner, repo: ticket.repo },
      labels: ticket.labels,
      repo,
    };
  }

  private async call<T>(
    service: ServiceConfig,
    operation: string,
    work: (w: ReturnType<GitHubIssues['where']>) => Promise<T>,
  ): Promise<T> {
    const where = this.where(service);
    try {
      return await work(where);
    } catch (error) {
      throw githubFailure(error, { operation, repo: where.repo });
    }
  }

  async find(service: ServiceConfig, incidentId: string): Promise<TicketRef | undefined> {
    return this.call(service, 'look for the incident ticket', async ({ octokit, params, labels, repo }) => {
      const listed = await octokit.rest.issues.listForRepo({
        ...params,
        state: 'all',
        labels: labels.join(','),
        per_page: 100,
      });
      const found = listed.data.find((issue) => !issue.pull_request && (issue.body ?? '').includes(marker(incidentId)));
      return found && { key: `${repo}#${found.number}`, url: found.html_url, open: found.state === 'open' };
    });
  }

  async open(service: ServiceConfig, content: TicketContent): Promise<TicketRef> {
    return this.call(service, 'open the incident ticket', async ({ octokit, params, labels, repo }) => {
      const created = await octokit.rest.issues.create({
        ...params,
        title: content.title,
        body: `${content.body}\n\n${marker(content.incidentId)}`,
        labels,
      });
      return { key: `${repo}#${created.data.number}`, url: created.data.html_url, open: true };
    });
  }

  private numberOf(ticket: TicketRef): number {
    return Number(ticket.key.slice(ticket.key.lastIndexOf('#') + 1));
  }

  async comment(service: ServiceConfig, ticket: TicketRef, body: string): Promise<void> {
    await this.call(service, `comment on ${ticket.key}`, ({ octokit, params }) =>
      octokit.rest.issues.createComment({
        ...params,
        issue_number: this.numberOf(ticket),
        body: body.slice(0, 65_000),
      }),
    );
  }

  async close(service: ServiceConfig, ticket: TicketRef): Promise<void> {
    await this.call(service, `close ${ticket.key}`, ({ octokit, params }) =>
      octokit.rest.issues.update({
        ...params,
        issue_number: this.numberOf(ticket),
        state: 'closed',
        state_reason: 'completed',
      }),
    );
  }
}
