/**
 * Reading production and rollback targets from Vercel: the current production
 * deployment, the candidates the domain chooses from
 * (src/rollback/last-known-good/rollback-target.ts), and a named target found
 * by deployment id, URL, commit or app version.
 */
import type { ServiceConfig } from '../config/service-schema';
import { RollbackError } from '../rollback/errors';
import {
  assertRollbackTarget,
  platformDefaultTarget,
  previousProductionDeployment,
  unpinTarget,
} from '../rollback/last-known-good/rollback-target';
import type { DeploymentSummary, ProductionStatus, ResolvedTarget, TargetMatch } from '../rollback/ports/application';
import { type ProjectRef, type VercelClient, releaseStateOf } from './client';
import { type DeploymentVersion, deploymentVersion, protectionError } from './deployment-urls';
import type { FetchLike } from './http';
import type { VercelDeployment, VercelProject } from './schemas';
import { candidateOf, classifySpec, matchesCommit, matchesVersion, notFound, toSummary } from './targets';

interface TargetReaderOptions {
  readonly fetch: FetchLike;
  /** Environment for "${NAME}" values (a protection bypass secret) when reading a deployment's version. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly deploymentOrigin?: (host: string) => string;
  readonly checkTimeoutMs?: number;
  /** How many production deployments are searched for a target (by commit or version). */
  readonly searchDepth?: number;
}

export class VercelTargetReader {
  constructor(
    private readonly client: VercelClient,
    private readonly options: TargetReaderOptions,
  ) {}

  async readProduction(service: ServiceConfig): Promise<ProductionStatus> {
    const ref = refOf(service);
    const project = await this.client.getProject(ref);
    const current = currentOf(project, service);
    const production = (await this.productionDeployments(ref, 1)).map(candidateOf);
    const target = previousProductionDeployment(candidateOf(current), production)?.deployment;
    const pinned = !project.autoAssignCustomDomains;
    const unpin = pinned ? unpinTarget(candidateOf(current), production)?.deployment : undefined;
    const [currentSummary, targetSummary, unpinSummary] = await Promise.all([
      this.summarize(service, current),
      target ? this.summarize(service, target) : undefined,
      unpin ? this.summarize(service, unpin) : undefined,
    ]);
    const last = project.lastAliasRequest;
    return {
      current: currentSummary,
      rollbackTarget: targetSummary,
      pinnedByRollback: pinned,
      ...(unpinSummary ? { unpinWith: unpinSummary } : {}),
      lastAliasRequest: last && {
        type: last.type,
        toDeploymentId: last.toDeploymentId,
        fromDeploymentId: last.fromDeploymentId,
        jobStatus: last.jobStatus,
        requestedAt: new Date(last.requestedAt),
      },
    };
  }

  async resolveTarget(service: ServiceConfig, spec?: string): Promise<ResolvedTarget> {
    const ref = refOf(service);
    const project = await this.client.getProject(ref);
    const current = currentOf(project, service);
    let target: VercelDeployment | undefined;
    let matchedBy: TargetMatch = 'default';
    let version: string | undefined;
    if (spec === undefined || spec.trim() === '') {
      // During a rolling release, rolling back means going back to the release's base (which aborts it).
      const release = await this.client.getActiveRollingRelease(ref, project);
      const chosen = await platformDefaultTarget(candidateOf(current), {
        ...(release ? { releaseBaseId: release.baseId } : {}),
        deployment: async (id) => candidateOf(await this.client.getDeployment(ref, id)),
        production: async () => (await this.productionDeployments(ref, 2)).map(candidateOf),
      });
      target = chosen?.deployment;
      if (!target) {
        throw new RollbackError(
          'not_found',
          `${service.name} has no earlier READY production deployment to roll back to.`,
          {
            fix: 'Name a target explicitly, or use a git revert (Option A) to ship the old code as a new deployment.',
          },
        );
      }
    } else {
      const kind = classifySpec(spec);
      matchedBy = kind;
      if (kind === 'deployment-id' || kind === 'deployment-url') {
        target = await this.client.getDeployment(ref, spec.trim()).catch((error: unknown) => {
          throw error instanceof RollbackError && error.code === 'not_found'
            ? notFound(spec, kind, ref.projectId)
            : error;
        });
      } else {
        const found = await this.findBy(service, spec.trim(), kind);
        target = found.deployment;
        version = found.version;
      }
      if (!target) throw notFound(spec, kind, ref.projectId);
      // A service that promotes rolls back by instant rollback while a rolling release is active or configured.
      const method = service.vercel.rollbackMethod;
      const release =
        method === 'promote'
          ? releaseStateOf(project, await this.client.getActiveRollingRelease(ref, project))
          : 'none';
      assertRollbackTarget(candidateOf(target), spec.trim(), { name: service.name, method }, release);
    }
    const [currentSummary, targetSummary] = await Promise.all([
      this.summarize(service, current),
      version ? Promise.resolve(toSummary(target, version)) : this.summarize(service, target),
    ]);
    return {
      target: targetSummary,
      current: currentSummary,
      matchedBy,
      alreadyLive: target.id === current.id,
      fromCommit: currentSummary.commitSha,
      toCommit: targetSummary.commitSha,
    };
  }

  private async productionDeployments(ref: ProjectRef, pages: number): Promise<VercelDeployment[]> {
    const out: VercelDeployment[] = [];
    for await (const d of this.client.iterateDeployments(
      ref,
      { target: 'production', state: 'READY', limit: 20 },
      pages,
    ))
      out.push(d);
    return out;
  }

  /** Searches recent deployments (production first) for a commit or an app version. */
  private async findBy(
    service: ServiceConfig,
    spec: string,
    kind: 'commit' | 'version',
  ): Promise<{ deployment?: VercelDeployment; version?: string }> {
    const ref = refOf(service);
    const depth = this.options.searchDepth ?? 40;
    const recent: VercelDeployment[] = [];
    // A full commit is looked up exactly with the list's sha filter; short ones and versions scan recent deployments.
    const exact = kind === 'commit' && spec.length === 40 ? { sha: spec.toLowerCase() } : {};
    for await (const d of this.client.iterateDeployments(ref, { limit: 20, ...exact }, Math.ceil(depth / 20)))
      recent.push(d);
    const rank = (d: VercelDeployment): number => (d.target === 'production' ? 0 : 1);
    const ordered = [...recent].sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
    if (kind === 'commit') return { deployment: ordered.find((d) => matchesCommit(d, spec)) };
    const versions = await Promise.all(ordered.map((d) => this.versionOf(service, d)));
    const index = versions.findIndex((v) => matchesVersion(v.version, spec));
    if (index >= 0) return { deployment: ordered[index], version: versions[index]?.version };
    // Protected deployment URLs hide their versions: say so rather than "no deployment matches".
    const hidden = versions.findIndex((v) => v.protectedStatus !== undefined);
    const host = ordered[hidden]?.url;
    if (hidden >= 0 && host) throw protectionError(service, versions[hidden]?.protectedStatus ?? 401, host);
    return {};
  }

  private versionOf(service: ServiceConfig, deployment: VercelDeployment): Promise<DeploymentVersion> {
    const { fetch, env, deploymentOrigin, checkTimeoutMs } = this.options;
    const ctx = { fetch, env: env ?? process.env, deploymentOrigin, timeoutMs: checkTimeoutMs ?? 3000 };
    return deploymentVersion(ctx, service, deployment);
  }

  private async summarize(service: ServiceConfig, deployment: VercelDeployment): Promise<DeploymentSummary> {
    const { version, note } = await this.versionOf(service, deployment);
    return { ...toSummary(deployment, version), ...(note ? { versionNote: note } : {}) };
  }
}

function currentOf(project: VercelProject, service: ServiceConfig): VercelDeployment {
  if (!project.production) {
    throw new RollbackError(
      'not_found',
      `Vercel reports no production deployment for ${service.name} (${project.id}).`,
      {
        fix: 'Deploy to production once before the bot can roll back; check vercel.projectId in the services file.',
      },
    );
  }
  return project.production;
}

export function refOf(service: ServiceConfig): ProjectRef {
  return { projectId: service.vercel.projectId, teamId: service.vercel.teamId };
}
