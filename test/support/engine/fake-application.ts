/**
 * The application platform (Vercel) as the engine tests need it: production
 * serves `current`, a rollback moves it to the target, and what each call
 * answers is set by the test. Every call is recorded.
 */
import type { ServiceConfig } from '../../../src/config/service-schema';
import type { Clock } from '../../../src/rollback/clock';
import { RollbackError } from '../../../src/rollback/errors';
import type { CommitSha, DeploymentId } from '../../../src/rollback/ids';
import type {
  ApplicationPort,
  DeployCommitRequest,
  DeployResult,
  DeploymentSummary,
  ExpectedVersion,
  MoveRequest,
  MoveResult,
  MoveStatus,
  ProductionStatus,
  ReconcileRequest,
  ResolvedTarget,
  VerificationReport,
} from '../../../src/rollback/ports/application';

function deployment(id: string, version: string, commit: string, createdAt: Date): DeploymentSummary {
  return {
    id: id as DeploymentId,
    url: `${id}.vercel.app`,
    target: 'production',
    state: 'READY',
    createdAt,
    liveSince: createdAt,
    creator: 'devops',
    commitSha: commit as CommitSha,
    commitMessage: `release ${version}`,
    version,
    rollbackCandidate: true,
  };
}

export class FakeApplication implements ApplicationPort {
  readonly calls: { method: string; input: unknown }[] = [];
  readonly good: DeploymentSummary;
  readonly bad: DeploymentSummary;
  current: DeploymentSummary;
  /** What moving production answers (succeeded moves `current`). */
  moveStatus: MoveStatus = 'succeeded';
  /** What Vercel's last alias request says after a crash; an Error makes it unreadable. */
  reconcileAnswer: MoveStatus | Error = 'not-requested';
  verifyPasses = true;
  pinned = false;
  /** Set to refuse before an incident opens, as an adapter whose credential is unset does. */
  unavailable?: RollbackError;

  constructor(private readonly clock: Clock) {
    const at = clock.now().getTime();
    this.good = deployment('dpl_good', '1.9.0', 'b7920c6aa11', new Date(at - 2 * 86_400_000));
    this.bad = deployment('dpl_bad', '2.0.0-beta', 'c0ffee00d15', new Date(at - 3_600_000));
    this.current = this.bad;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private record(method: string, input: unknown): void {
    this.calls.push({ method, input });
  }

  private find(spec: string | undefined): DeploymentSummary {
    if (spec === undefined) return this.current.id === this.good.id ? this.bad : this.good;
    const found = [this.good, this.bad].find((d) => d.id === spec || d.version === spec || d.commitSha === spec);
    if (!found)
      throw new RollbackError('not_found', `No deployment matches "${spec}".`, {
        fix: 'Name a deployment id, version or commit.',
      });
    return found;
  }

  async checkAvailable(): Promise<void> {
    if (this.unavailable) throw this.unavailable;
  }

  async describeProduction(service: ServiceConfig): Promise<ProductionStatus> {
    this.record('describeProduction', service.name);
    const newer = this.current === this.good ? this.bad : undefined;
    return {
      current: this.current,
      rollbackTarget: this.find(undefined),
      pinnedByRollback: this.pinned,
      unpinWith: newer,
      lastAliasRequest: undefined,
    };
  }

  async resolveTarget(service: ServiceConfig, spec?: string): Promise<ResolvedTarget> {
    this.record('resolveTarget', { service: service.name, spec });
    const target = this.find(spec);
    return {
      target,
      current: this.current,
      matchedBy: spec === undefined ? 'default' : 'deployment-id',
      alreadyLive: target.id === this.current.id,
      fromCommit: this.current.commitSha,
      toCommit: target.commitSha,
    };
  }

  private moved(request: MoveRequest, status: MoveStatus): MoveResult {
    const from = this.current.id;
    if (status === 'succeeded') this.current = this.find(request.targetId);
    return {
      method: 'instant-rollback',
      status,
      targetId: request.targetId,
      fromDeploymentId: from,
      failedAliases: status === 'failed' ? ['dr-amal.com'] : [],
      requestedAt: this.clock.now(),
      reusedRequest: false,
      explanation: `Vercel: ${status}`,
    };
  }

  async moveProduction(request: MoveRequest): Promise<MoveResult> {
    this.record('moveProduction', request);
    return this.moved(request, this.moveStatus);
  }

  async reconcile(request: ReconcileRequest): Promise<MoveResult> {
    this.record('reconcile', request);
    if (this.reconcileAnswer instanceof Error) throw this.reconcileAnswer;
    return this.moved({ ...request }, this.reconcileAnswer);
  }

  async promote(request: MoveRequest): Promise<MoveResult> {
    this.record('promote', request);
    this.pinned = false;
    return this.moved(request, 'succeeded');
  }

  async verify(service: ServiceConfig, expected: ExpectedVersion): Promise<VerificationReport> {
    this.record('verify', expected);
    const at = this.clock.now();
    const check = {
      name: 'health',
      kind: 'health' as const,
      pass: this.verifyPasses,
      status: this.verifyPasses ? 200 : 500,
      latencyMs: 12,
      detail: this.verifyPasses ? 'ok' : 'HTTP 500',
    };
    return {
      passed: this.verifyPasses,
      url: service.production.url,
      attempts: 1,
      checks: [check],
      failedCheck: this.verifyPasses ? undefined : check,
      startedAt: at,
      finishedAt: at,
    };
  }

  async deployCommit(request: DeployCommitRequest): Promise<DeployResult> {
    this.record('deployCommit', { commitSha: request.commitSha });
    request.onProgress?.({ phase: 'waiting-for-build', commitSha: request.commitSha });
    return {
      method: 'git-integration',
      state: 'READY',
      deploymentId: 'dpl_fix' as DeploymentId,
      url: 'dpl_fix.vercel.app',
      commitSha: request.commitSha,
      live: true,
      explanation: 'built and live',
    };
  }
}
