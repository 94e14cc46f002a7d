/**
 * A small typed client over the Vercel REST endpoints the bot needs for
 * reading and moving production. Creating deployments goes through
 * @vercel/client (see deploy-commit.ts).
 */
import { isRollbackError } from '../rollback/errors';
import type { RollingReleaseState } from '../rollback/last-known-good/rollback-target';
import type { CallResult, VercelHttp } from './http';
import {
  type DeploymentPage,
  type VercelDeployment,
  type VercelProject,
  parseAliasStatusPage,
  parseDeployment,
  parseDeploymentPage,
  parseMemberEmails,
  parseProject,
} from './schemas';
import { type VercelRollingRelease, parseActiveRelease } from './active-release-schema';

export interface ProjectRef {
  readonly projectId: string;
  readonly teamId?: string | undefined;
}

interface ListQuery {
  readonly target?: 'production' | 'preview';
  readonly state?: string;
  readonly limit?: number;
  readonly until?: number;
  /** Only deployments of this commit (full sha). */
  readonly sha?: string;
  /** Only deployments Vercel would roll back to (they served production). */
  readonly rollbackCandidate?: boolean;
}

export type AliasMoveKind = 'promote' | 'rollback';

interface AliasMoveAnswer {
  /** 201 accepted, 202 queued behind a rolling release, 409 target already current (or another job running). */
  readonly status: 201 | 202 | 409;
}

export class VercelClient {
  constructor(private readonly http: VercelHttp) {}

  async listDeployments(ref: ProjectRef, query: ListQuery = {}): Promise<DeploymentPage> {
    const { body } = await this.http.call('/v7/deployments', {
      what: `list the deployments of project ${ref.projectId}`,
      teamId: ref.teamId,
      query: {
        projectId: ref.projectId,
        target: query.target,
        state: query.state,
        limit: query.limit ?? 20,
        until: query.until,
        sha: query.sha,
        rollbackCandidate: query.rollbackCandidate,
      },
    });
    return parseDeploymentPage(body);
  }

  /** Walks the pages with `until` until `stop` says enough or `maxPages` were read. */
  async *iterateDeployments(ref: ProjectRef, query: ListQuery = {}, maxPages = 10): AsyncGenerator<VercelDeployment> {
    let until = query.until;
    for (let page = 0; page < maxPages; page += 1) {
      const result = await this.listDeployments(ref, { ...query, until });
      for (const deployment of result.deployments) yield deployment;
      if (result.next === undefined || result.deployments.length === 0) return;
      until = result.next;
    }
  }

  async getDeployment(ref: ProjectRef, idOrUrl: string): Promise<VercelDeployment> {
    const host = idOrUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const { body } = await this.http.call(`/v13/deployments/${encodeURIComponent(host)}`, {
      what: `read deployment ${host}`,
      teamId: ref.teamId,
    });
    return parseDeployment(body);
  }

  async getProject(ref: ProjectRef): Promise<VercelProject> {
    const { body } = await this.http.call(`/v9/projects/${encodeURIComponent(ref.projectId)}`, {
      what: `read project ${ref.projectId}`,
      teamId: ref.teamId,
      query: { rollbackInfo: true },
    });
    return parseProject(body);
  }

  /**
   * Asks Vercel to move production. Not retried here: a retry after a dropped
   * connection could repeat the move, so the caller reads the project first.
   */
  async requestAliasMove(
    ref: ProjectRef,
    kind: AliasMoveKind,
    deploymentId: string,
    description?: string,
  ): Promise<AliasMoveAnswer> {
    const path =
      kind === 'promote'
        ? `/v10/projects/${encodeURIComponent(ref.projectId)}/promote/${encodeURIComponent(deploymentId)}`
        : `/v1/projects/${encodeURIComponent(ref.projectId)}/rollback/${encodeURIComponent(deploymentId)}`;
    const result: CallResult = await this.http.call(
      path,
      {
        method: 'POST',
        what: `${kind === 'promote' ? 'promote' : 'roll back to'} deployment ${deploymentId}`,
        teamId: ref.teamId,
        retryUnsafe: false,
        // As the Vercel CLI sends it; a rollback's description is shown in Vercel's dashboard.
        body: {},
        query: kind === 'rollback' && description ? { description: description.slice(0, 200) } : undefined,
      },
      [409],
    );
    const status = result.status === 202 ? 202 : result.status === 409 ? 409 : 201;
    return { status };
  }

  /**
   * The project's active rolling release, if any; a project without the feature reads as none. When the
   * project (already read) says no rolling release is configured, none can be active and Vercel is not asked.
   */
  async getActiveRollingRelease(
    ref: ProjectRef,
    project?: Pick<VercelProject, 'rollingRelease'>,
  ): Promise<VercelRollingRelease | undefined> {
    if (project?.rollingRelease === 'off') return undefined;
    try {
      const { body } = await this.http.call(`/v1/projects/${encodeURIComponent(ref.projectId)}/rolling-release`, {
        what: `read the rolling release of project ${ref.projectId}`,
        teamId: ref.teamId,
      });
      return parseActiveRelease(body);
    } catch (error) {
      if (
        isRollbackError(error) &&
        (error.code === 'not_found' || error.code === 'bad_input' || error.code === 'forbidden')
      )
        return undefined;
      throw error;
    }
  }

  /** Whether a member of the team has this email (Vercel ties a commit's author to a member by email). */
  async isTeamMember(teamId: string, email: string): Promise<boolean> {
    const { body } = await this.http.call(`/v3/teams/${encodeURIComponent(teamId)}/members`, {
      what: `list the members of team ${teamId}`,
      teamId,
      query: { search: email, limit: 20 },
    });
    const wanted = email.toLowerCase();
    return parseMemberEmails(body).some((found) => found.toLowerCase() === wanted);
  }

  /** Aliases of the last promote (promote/aliases) or rollback (rollback/aliases) that did not move to its target. */
  async listFailedAliases(ref: ProjectRef, kind: AliasMoveKind, maxPages = 5): Promise<string[]> {
    const failed: string[] = [];
    let until: number | undefined;
    for (let page = 0; page < maxPages; page += 1) {
      const { body } = await this.http.call(`/v1/projects/${encodeURIComponent(ref.projectId)}/${kind}/aliases`, {
        what: `list the aliases that failed to move for project ${ref.projectId}`,
        teamId: ref.teamId,
        query: { failedOnly: true, limit: 100, until },
      });
      const result = parseAliasStatusPage(body);
      failed.push(...result.aliases.map((a) => a.alias));
      if (result.next === undefined || result.aliases.length === 0) break;
      until = result.next;
    }
    return failed;
  }
}

/** A project's rolling release in the domain's words (an active one read with getActiveRollingRelease). */
export function releaseStateOf(
  project: Pick<VercelProject, 'rollingRelease'>,
  active: VercelRollingRelease | undefined,
): RollingReleaseState {
  if (active) return 'active';
  return project.rollingRelease === 'configured' ? 'configured' : 'none';
}
