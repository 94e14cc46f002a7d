/**
 * The application port on Vercel: reads production, chooses targets, moves
 * production, verifies and deploys. Everything outside (fetch, clock, sleep,
 * @vercel/client, the env for smoke tests) is handed in.
 */
import { createDeployment } from '@vercel/client';
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { verifyProduction } from '../probes/verify';
import { type Clock, systemClock } from '../rollback/clock';
import { RollbackError } from '../rollback/errors';
import type { DeploymentId } from '../rollback/ids';
import type {
  ApplicationPort,
  DeployCommitRequest,
  DeployIdentityCheck,
  DeployResult,
  DeploymentSummary,
  DescribeOptions,
  ExpectedVersion,
  MoveRequest,
  MoveResult,
  ProductionStatus,
  ReconcileRequest,
  ResolvedTarget,
  TargetMatch,
  VerificationReport,
} from '../rollback/ports/application';
import { type ProjectRef, VercelClient } from './client';
import { type CreateDeployment, deployCommit } from './deploy-commit';
import { checkCommitter } from './deploy-identity';
import { type DeploymentVersion, deploymentVersion, protectionError } from './deployment-urls';
import { type FetchLike, type RetryPolicy, type Sleep, VercelHttp, realSleep } from './http';
import { type MoveContext, type MovePlan, moveProduction, reconcile } from './move-production';
import { withCallScope } from './rate-limit';
import type { VercelDeployment, VercelProject } from './schemas';
import { assertUsableTarget, chooseDefaultTarget, chooseUnpinTarget, classifySpec, matchesCommit, matchesVersion, notFound, toSummary } from './targets';

export interface VercelApplicationOptions {
  readonly token: string;
  /** VERCEL_API_URL; default https://api.vercel.com. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly retry?: Partial<RetryPolicy>;
  readonly requestTimeoutMs?: number;
  /** Where a deployment's own routes answer; default https://<host>. */
  readonly deploymentOrigin?: (host: string) => string;
  /** How often the alias job and builds are polled; default 1 s. */
  readonly pollIntervalMs?: number;
  readonly clockSkewMs?: number;
  /** Environment for "${NAME}" values in smoke tests. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly verifyRetryIntervalMs?: number;
  readonly checkTimeoutMs?: number;
  readonly createDeployment?: CreateDeployment;
  /** How many production deployments are searched for a target (by commit or version). */
  readonly searchDepth?: number;
}

export class VercelApplication implements ApplicationPort {
  private readonly client: VercelClient;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: VercelApplicationOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.client = new VercelClient(
      new VercelHttp({
        token: options.token,
        baseUrl: options.apiUrl,
        fetch: this.fetchImpl,
        sleep: this.sleep,
        random: options.random,
        retry: options.retry,
        timeoutMs: options.requestTimeoutMs,
        logger: options.logger,
        now: () => this.clock.now().getTime(),
      }),
    );
  }

  /** With `background` (probes), the call never spends the rate limit a rollback needs. */
  describeProduction(service: ServiceConfig, options: DescribeOptions = {}): Promise<ProductionStatus> {
    return withCallScope({ priority: options.background ? 'background' : 'rollback' }, () => this.readProduction(service));
  }

  private async readProduction(service: ServiceConfig): Promise<ProductionStatus> {
    const ref = refOf(service);
    const project = await this.client.getProject(ref);
    const current = currentOf(project, service);
    const production = await this.productionDeployments(ref, 1);
    const target = chooseDefaultTarget(current, production);
    const pinned = !project.autoAssignCustomDomains;
    const unpin = pinned ? chooseUnpinTarget(current, production) : undefined;
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
      target =
        release && release.baseId !== current.id
          ? await this.client.getDeployment(ref, release.baseId)
          : chooseDefaultTarget(current, await this.productionDeployments(ref, 2));
      if (!target) {
        throw new RollbackError('not_found', `${service.name} has no earlier READY production deployment to roll back to.`, {
          fix: 'Name a target explicitly, or use a git revert (Option A) to ship the old code as a new deployment.',
        });
      }
    } else {
      const kind = classifySpec(spec);
      matchedBy = kind;
      if (kind === 'deployment-id' || kind === 'deployment-url') {
        target = await this.client.getDeployment(ref, spec.trim()).catch((error: unknown) => {
          throw error instanceof RollbackError && error.code === 'not_found' ? notFound(spec, kind, ref.projectId) : error;
        });
      } else {
        const found = await this.findBy(service, spec.trim(), kind);
        target = found.deployment;
        version = found.version;
      }
      if (!target) throw notFound(spec, kind, ref.projectId);
      assertUsableTarget(target, spec.trim(), service.vercel.rollbackMethod);
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

  moveProduction(request: MoveRequest): Promise<MoveResult> {
    return this.move(request, { description: `${request.incidentId}: production rolled back by rollback-bot` });
  }

  promote(request: MoveRequest): Promise<MoveResult> {
    return this.move(request, { method: 'promote' });
  }

  private move(request: MoveRequest, overrides: Pick<MovePlan, 'description'> | Pick<MovePlan, 'method'>): Promise<MoveResult> {
    const plan: MovePlan = { ...this.plan(request.service, request.targetId, request.notBefore), ...overrides };
    const logger = this.options.logger.child({ incidentId: request.incidentId, service: request.service.name });
    return this.inStep(plan.deadlineMs, () => moveProduction({ ...this.moveContext(), logger }, plan));
  }

  reconcile(request: ReconcileRequest): Promise<MoveResult> {
    const plan = this.plan(request.service, request.targetId, undefined);
    const logger = this.options.logger.child({ incidentId: request.incidentId, service: request.service.name });
    return this.inStep(plan.deadlineMs, () => reconcile({ ...this.moveContext(), logger }, plan, request));
  }

  verify(service: ServiceConfig, expected: ExpectedVersion): Promise<VerificationReport> {
    return verifyProduction(service, expected, {
      fetch: this.fetchImpl,
      clock: this.clock,
      sleep: this.sleep,
      env: this.options.env ?? process.env,
      checkTimeoutMs: this.options.checkTimeoutMs,
      retryIntervalMs: this.options.verifyRetryIntervalMs,
    });
  }

  deployCommit(request: DeployCommitRequest): Promise<DeployResult> {
    return this.inStep(request.service.vercel.buildDeadlineSeconds * 1000, () => deployCommit(
      {
        client: this.client,
        clock: this.clock,
        sleep: this.sleep,
        logger: this.options.logger.child({ service: request.service.name, commitSha: request.commitSha }),
        pollIntervalMs: this.options.pollIntervalMs ?? 1000,
        promote: (deploymentId, deadline) =>
          moveProduction(this.moveContext(), {
            ...this.plan(request.service, deploymentId, undefined),
            method: 'promote',
            deadlineMs: Math.max(0, deadline - this.clock.now().getTime()),
          }),
        token: this.options.token,
        apiUrl: this.options.apiUrl,
        createDeployment: this.options.createDeployment ?? createDeployment,
      },
      request,
    ));
  }

  /** Every Vercel call inside honours the step's deadline (a rate-limit wait past it is refused at once). */
  private inStep<T>(deadlineMs: number, fn: () => Promise<T>): Promise<T> {
    return withCallScope({ priority: 'rollback', deadline: this.clock.now().getTime() + deadlineMs }, fn);
  }

  /** Vercel blocks a pushed commit whose author it cannot tie to a team member (BLOCKED, TEAM_ACCESS_REQUIRED). */
  checkDeployIdentity(service: ServiceConfig): Promise<DeployIdentityCheck> {
    return checkCommitter(this.client, service);
  }

  private plan(service: ServiceConfig, targetId: DeploymentId, notBefore: Date | undefined): MovePlan {
    return {
      ref: refOf(service),
      method: service.vercel.rollbackMethod,
      targetId,
      deadlineMs: service.vercel.aliasDeadlineSeconds * 1000,
      notBefore,
    };
  }

  private moveContext(): MoveContext {
    return {
      client: this.client,
      clock: this.clock,
      sleep: this.sleep,
      logger: this.options.logger,
      pollIntervalMs: this.options.pollIntervalMs ?? 1000,
      clockSkewMs: this.options.clockSkewMs ?? 30_000,
    };
  }

  private async productionDeployments(ref: ProjectRef, pages: number): Promise<VercelDeployment[]> {
    const out: VercelDeployment[] = [];
    for await (const d of this.client.iterateDeployments(ref, { target: 'production', state: 'READY', limit: 20 }, pages)) out.push(d);
    return out;
  }

  /** Searches recent deployments (production first) for a commit or an app version. */
  private async findBy(service: ServiceConfig, spec: string, kind: 'commit' | 'version'): Promise<{ deployment?: VercelDeployment; version?: string }> {
    const ref = refOf(service);
    const depth = this.options.searchDepth ?? 40;
    const recent: VercelDeployment[] = [];
    // A full commit is looked up exactly with the list's sha filter; short ones and versions scan recent deployments.
    const exact = kind === 'commit' && spec.length === 40 ? { sha: spec.toLowerCase() } : {};
    for await (const d of this.client.iterateDeployments(ref, { limit: 20, ...exact }, Math.ceil(depth / 20))) recent.push(d);
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
    const ctx = { fetch: this.fetchImpl, env: this.options.env ?? process.env, deploymentOrigin: this.options.deploymentOrigin, timeoutMs: this.options.checkTimeoutMs ?? 3000 };
    return deploymentVersion(ctx, service, deployment);
  }

  private async summarize(service: ServiceConfig, deployment: VercelDeployment): Promise<DeploymentSummary> {
    const { version, note } = await this.versionOf(service, deployment);
    return { ...toSummary(deployment, version), ...(note ? { versionNote: note } : {}) };
  }
}

function refOf(service: ServiceConfig): ProjectRef {
  return { projectId: service.vercel.projectId, teamId: service.vercel.teamId };
}

function currentOf(project: VercelProject, service: ServiceConfig): VercelDeployment {
  if (!project.production) {
    throw new RollbackError('not_found', `Vercel reports no production deployment for ${service.name} (${project.id}).`, {
      fix: 'Deploy to production once before the bot can roll back; check vercel.projectId in the services file.',
    });
  }
  return project.production;
}
