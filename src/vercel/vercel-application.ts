/**
 * The application port on Vercel: reads production and targets (read-targets.ts),
 * moves production, verifies and deploys. Everything outside (fetch, clock, sleep,
 * @vercel/client, the env for smoke tests) is handed in.
 */
import { createDeployment } from '@vercel/client';
import type { ServiceConfig } from '../config/service-schema';
import type { Logger } from '../logger';
import { verifyProduction } from '../probes/verify';
import { type Clock, systemClock } from '../rollback/clock';
import type { DeploymentId } from '../rollback/ids';
import type {
  ApplicationPort,
  DeployCommitRequest,
  DeployIdentityCheck,
  DeployResult,
  DescribeOptions,
  ExpectedVersion,
  MoveRequest,
  MoveResult,
  ProductionStatus,
  ReconcileRequest,
  ResolvedTarget,
  VerificationReport,
} from '../rollback/ports/application';
import { VercelClient } from './client';
import { type CreateDeployment, deployCommit } from './deploy-commit';
import { checkCommitter } from './deploy-identity';
import { type FetchLike, type RetryPolicy, type Sleep, VercelHttp, realSleep } from './http';
import { type MoveContext, type MovePlan, moveProduction, reconcile } from './move-production';
import { withCallScope } from './rate-limit';
import { VercelTargetReader, refOf } from './read-targets';

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
  private readonly targets: VercelTargetReader;

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
    const { env, deploymentOrigin, checkTimeoutMs, searchDepth } = options;
    this.targets = new VercelTargetReader(this.client, {
      fetch: this.fetchImpl,
      env,
      deploymentOrigin,
      checkTimeoutMs,
      searchDepth,
    });
  }

  /** With `background` (probes), the call never spends the rate limit a rollback needs. */
  describeProduction(service: ServiceConfig, options: DescribeOptions = {}): Promise<ProductionStatus> {
    return withCallScope({ priority: options.background ? 'background' : 'rollback' }, () =>
      this.targets.readProduction(service),
    );
  }

  resolveTarget(service: ServiceConfig, spec?: string): Promise<ResolvedTarget> {
    return this.targets.resolveTarget(service, spec);
  }

  moveProduction(request: MoveRequest): Promise<MoveResult> {
    return this.move(request, {
      description: `${request.incidentId}: production rolled back by rollback-bot`,
      rollback: true,
    });
  }

  promote(request: MoveRequest): Promise<MoveResult> {
    return this.move(request, { method: 'promote' });
  }

  private move(
    request: MoveRequest,
    overrides: Pick<MovePlan, 'description' | 'rollback'> | Pick<MovePlan, 'method'>,
  ): Promise<MoveResult> {
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
    return this.inStep(request.service.vercel.buildDeadlineSeconds * 1000, () =>
      deployCommit(
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
      ),
    );
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
}
