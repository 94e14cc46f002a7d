/**
 * The Vercel stand-in's world: one project, its deployments, the alias job of
 * the last promote/rollback, builds and injected faults. Jobs and builds move
 * one step every few reads (polls), so tests and the drill control time by
 * reading, never by sleeping. A new deployment's first report is in new-deployment.ts.
 */
import { type Clock, systemClock } from '../../rollback/clock';
import { UNCONFIGURED_STAGES } from './rolling-release-routes';
import { newDeployment, randomId } from './new-deployment';

import type {
  AppBehaviour,
  StandinDeployment,
  AliasOutcome,
  BuildPlan,
  AliasPlan,
  AliasJobPlan,
  AliasRequest,
  Fault,
  RecordedRequest,
  RecordedAnswer,
  NewDeployment,
  StandinStateOptions,
  ReleaseConfig,
  StandinRelease,
} from './state-types';

export type * from './state-types';

export class StandinState {
  readonly clock: Clock;
  readonly project: {
    id: string;
    name: string;
    teamId: string | undefined;
    plan: 'hobby' | 'pro';
    autoAssignCustomDomains: boolean;
    productionId: string | undefined;
    domains: string[];
    lastAliasRequest: AliasRequest | null;
    aliasStatuses: { alias: string; status: string }[];
    rollingRelease: boolean;
    /** An active rolling release: production (the canary) is being rolled out over `baseId`. */
    release: StandinRelease | undefined;
    /** The rolling release configuration; a promote starts a release while it is set. */
    releaseConfig: ReleaseConfig | undefined;
    /**
     * Deployment Protection: deployment URLs answer 401 unless this "Protection Bypass for Automation" secret is sent.
     */
    protectionBypass: string | undefined;
    /** The description sent with the last instant rollback. */
    rollbackDescription: { description: string; createdAt: number; userId: string; username: string } | undefined;
  };
  readonly deployments = new Map<string, StandinDeployment>();
  /** The team's members (for GET /v3/teams/:id/members); the example committer is one. */
  teamMembers: { email: string; username: string; role: 'OWNER' | 'MEMBER' | 'DEVELOPER' }[] = [
    { email: 'amal@dr-amal.com', username: 'amal', role: 'OWNER' },
    { email: 'rollback-bot@dr-amal.com', username: 'rollback-bot', role: 'DEVELOPER' },
  ];
  readonly uploaded = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  /** The last answers sent (at most 2,000), so a test can hold them to Vercel's contract. */
  readonly answers: RecordedAnswer[] = [];
  readonly faults: Fault[] = [];
  /** How the next promote/rollback job behaves. */
  nextJob: AliasJobPlan = { outcome: 'succeeded', pollsPerStep: 1, failedAliases: [] };
  /** How builds of created or pushed deployments behave. */
  buildPlan: BuildPlan = { outcome: 'READY', readsPerStep: 1 };
  /** How production domains follow a READY production build. */
  aliasPlan: AliasPlan;
  private job: { plan: AliasJobPlan; polls: number } | undefined;
  private lastCreatedAt = 0;

  constructor(options: StandinStateOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const name = options.projectName ?? 'dr-amal-clinical-os';
    this.project = {
      id: options.projectId ?? `prj_${randomId(24)}`,
      name,
      teamId: options.teamId,
      plan: options.plan ?? 'pro',
      autoAssignCustomDomains: true,
      productionId: undefined,
      domains: options.domains ?? ['dr-amal.com', 'www.dr-amal.com'],
      lastAliasRequest: null,
      aliasStatuses: [],
      rollingRelease: false,
      rollbackDescription: undefined,
      protectionBypass: undefined,
      release: undefined,
      releaseConfig: undefined,
    };
    this.aliasPlan = { afterPolls: options.aliasAfterPolls ?? 3, outcome: 'assigned' };
  }

  addDeployment(input: NewDeployment = {}): StandinDeployment {
    const now = this.clock.now().getTime();
    const createdAt = Math.max(input.createdAt ?? now, this.lastCreatedAt + 1);
    this.lastCreatedAt = createdAt;
    const deployment = newDeployment(this.project.name, input, createdAt, this.buildPlan);
    this.deployments.set(deployment.id, deployment);
    if (input.live) this.makeProduction(deployment);
    return deployment;
  }

  /** The git integration saw a push: a production build of `commit` starts. */
  pushCommit(commit: string, options: Omit<NewDeployment, 'commit' | 'build' | 'state'> = {}): StandinDeployment {
    return this.addDeployment({
      ...options,
      commit,
      target: 'production',
      servedProduction: false,
      build: { ...this.buildPlan },
    });
  }

  production(): StandinDeployment | undefined {
    return this.project.productionId ? this.deployments.get(this.project.productionId) : undefined;
  }

  find(idOrUrl: string): StandinDeployment | undefined {
    const key = idOrUrl.replace(/^https?:\/\//, '');
    return this.deployments.get(key) ?? [...this.deployments.values()].find((d) => d.url === key);
  }

  setApp(idOrUrl: string, behaviour: Partial<AppBehaviour>): void {
    const deployment = this.find(idOrUrl);
    if (!deployment) throw new Error(`stand-in: no deployment ${idOrUrl}`);
    deployment.app = { ...deployment.app, ...behaviour };
  }

  inject(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i += 1) this.faults.push({ ...fault });
  }

  /** The first queued fault whose `match` is in the path, removed once used. */
  takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.match === undefined || path.includes(f.match));
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.skip) {
      for (const f of this.faults) if (f.skip && (f.match === undefined || path.includes(f.match))) f.skip -= 1;
      return undefined;
    }
    return this.faults.splice(index, 1)[0];
  }

  count(method: string, pathPart: string): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  }

  /**
   * A build advances one state every `readsPerStep` reads of the deployment. A READY
   * production build gets its domains `aliasPlan.afterPolls` reads later, as on Vercel,
   * unless production is pinned by an instant rollback.
   */
  tickBuild(deployment: StandinDeployment): void {
    if (deployment.assignment) return this.tickAssignment(deployment, deployment.assignment);
    const build = deployment.build;
    if (!build) return;
    build.reads += 1;
    if (build.reads < build.readsPerStep) return;
    build.reads = 0;
    const next = build.steps.shift();
    if (next) deployment.readyState = next;
    if (build.steps.length > 0) return;
    deployment.build = undefined;
    if (deployment.readyState === 'BLOCKED') {
      deployment.seatBlock = {
        blockCode: build.blockCode ?? 'TEAM_ACCESS_REQUIRED',
        userId: deployment.creator.uid,
        isVerified: true,
      };
    }
    if (
      deployment.readyState === 'READY' &&
      deployment.target === 'production' &&
      this.project.autoAssignCustomDomains
    ) {
      deployment.assignment = { readsLeft: this.aliasPlan.afterPolls, outcome: this.aliasPlan.outcome };
      if (this.aliasPlan.afterPolls <= 0) this.tickAssignment(deployment, deployment.assignment);
    }
  }

  private tickAssignment(
    deployment: StandinDeployment,
    assignment: { readsLeft: number; outcome: AliasOutcome },
  ): void {
    assignment.readsLeft -= 1;
    if (assignment.readsLeft > 0) return;
    deployment.assignment = undefined;
    if (assignment.outcome === 'alias-error') {
      deployment.aliasError = {
        code: 'alias_failed',
        message: `The domains could not be assigned to ${deployment.url}.`,
      };
    } else if (assignment.outcome === 'check-failed') {
      deployment.aliasCheck = 'failed';
    } else {
      deployment.aliasCheck = 'succeeded';
      this.makeProduction(deployment);
    }
  }

  /** The alias job advances one step every `pollsPerStep` project reads. */
  tickJob(): void {
    const request = this.project.lastAliasRequest;
    if (!this.job || !request) return;
    this.job.polls += 1;
    if (this.job.polls < this.job.plan.pollsPerStep) return;
    this.job.polls = 0;
    if (request.jobStatus === 'pending') {
      request.jobStatus = 'in-progress';
      return;
    }
    const { outcome, failedAliases } = this.job.plan;
    if (outcome === 'never') return;
    request.jobStatus = outcome;
    this.job = undefined;
    this.project.aliasStatuses = this.project.domains.map((alias) => ({
      alias,
      status:
        outcome === 'failed' && failedAliases.includes(alias)
          ? 'failed'
          : outcome === 'skipped'
            ? 'skipped'
            : 'succeeded',
    }));
    if (outcome !== 'succeeded') return;
    const target = this.deployments.get(request.toDeploymentId);
    if (target) this.makeProduction(target);
    this.project.autoAssignCustomDomains = request.type === 'promote';
  }

  jobRunning(): boolean {
    const status = this.project.lastAliasRequest?.jobStatus;
    return status === 'pending' || status === 'in-progress';
  }

  startJob(type: 'promote' | 'rollback', target: StandinDeployment): void {
    this.project.lastAliasRequest = {
      type,
      fromDeploymentId: this.project.productionId ?? null,
      toDeploymentId: target.id,
      jobStatus: 'pending',
      requestedAt: this.clock.now().getTime(),
    };
    this.project.aliasStatuses = this.project.domains.map((alias) => ({ alias, status: 'pending' }));
    this.job = { plan: { ...this.nextJob, failedAliases: [...this.nextJob.failedAliases] }, polls: 0 };
  }

  /** A release of `canary` over production at the first configured stage (none: 10% then 100%, by approval). */
  startRollingRelease(canary: StandinDeployment): void {
    const base = this.production();
    if (!base) throw new Error('stand-in: a rolling release needs a production deployment');
    const now = this.clock.now().getTime();
    const start = { startedAt: now, stageStartedAt: now, updatedAt: now, activeIndex: 0, served: 0 };
    const copy = (this.project.releaseConfig?.stages ?? UNCONFIGURED_STAGES).map((s) => ({ ...s }));
    this.project.release = { baseId: base.id, canaryId: canary.id, ...start, state: 'ACTIVE', stages: copy };
    this.project.rollingRelease = true;
    this.makeProduction(canary);
  }

  /** For the Hobby plan: the only deployment an instant rollback may go to. */
  previousProduction(): StandinDeployment | undefined {
    const current = this.production();
    return [...this.deployments.values()]
      .filter(
        (d) => d.target === 'production' && d.readyState === 'READY' && d.servedProduction && d.id !== current?.id,
      )
      .filter((d) => !current || d.createdAt < current.createdAt)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  private makeProduction(deployment: StandinDeployment): void {
    this.project.productionId = deployment.id;
    deployment.servedProduction = true;
    deployment.aliasAssigned = deployment.aliasAssigned ?? this.clock.now().getTime();
  }
}
