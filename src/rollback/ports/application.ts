/**
 * The application port: what the incident engine needs from the platform that
 * serves the app (Vercel today). It reads production, chooses a rollback
 * target, moves production, proves the result with the app's own endpoints
 * and builds new deployments. Adapters translate platform failures into
 * RollbackError with an operator-readable fix.
 */
import type { ServiceConfig } from '../../config/service-schema';
import type { CommitSha, DeploymentId, IncidentId } from '../ids';

export interface DeploymentSummary {
  readonly id: DeploymentId;
  /** Host name of the deployment, e.g. dr-amal-clinical-os-abc123.vercel.app. */
  readonly url: string;
  /** "production", "preview" or whatever newer value the platform reports. */
  readonly target: string;
  /** READY, BUILDING, ERROR, ... as the platform reports it. */
  readonly state: string;
  readonly createdAt: Date;
  /**
   * When it started serving production as the platform says (aliases assigned,
   * else READY); a deployment promoted again keeps its first time.
   */
  readonly liveSince?: Date;
  /** Who created it (user name or e-mail), when the platform says. */
  readonly creator: string | undefined;
  /** The git commit it was built from; the schema worker diffs migrations between two of these. */
  readonly commitSha: CommitSha | undefined;
  readonly commitMessage: string | undefined;
  /** The app's own version (its version endpoint), when it could be read. */
  readonly version: string | undefined;
  /** Why the version could not be read, when that needs a setting (a protected deployment URL). */
  readonly versionNote?: string;
  /** True when the platform says it served production and may be rolled back to. */
  readonly rollbackCandidate: boolean;
}

type AliasJobStatus = 'pending' | 'in-progress' | 'succeeded' | 'failed' | 'skipped' | (string & {});

interface AliasRequestInfo {
  readonly type: string;
  readonly toDeploymentId: string;
  readonly fromDeploymentId: string | undefined;
  readonly jobStatus: AliasJobStatus;
  readonly requestedAt: Date;
}

export interface ProductionStatus {
  readonly current: DeploymentSummary;
  /** The deployment the bot would roll back to, or undefined when there is none. */
  readonly rollbackTarget: DeploymentSummary | undefined;
  /** After an instant rollback new pushes stop reaching production until someone promotes. */
  readonly pinnedByRollback: boolean;
  /**
   * While pinned: the newest READY production deployment newer than the current one (typically the fix), which Unpin
   * promotes.
   */
  readonly unpinWith?: DeploymentSummary;
  readonly lastAliasRequest: AliasRequestInfo | undefined;
}

export type TargetMatch = 'default' | 'deployment-id' | 'deployment-url' | 'commit' | 'version';

export interface ResolvedTarget {
  readonly target: DeploymentSummary;
  readonly current: DeploymentSummary;
  readonly matchedBy: TargetMatch;
  /** The target already serves production: moving is a no-op. */
  readonly alreadyLive: boolean;
  /** Commits of current and target, so the schema worker can list the migrations between them. */
  readonly fromCommit: CommitSha | undefined;
  readonly toCommit: CommitSha | undefined;
}

export type MoveMethod = 'instant-rollback' | 'promote';
/** "not-requested" only comes from reconcile: Vercel has no record of the request. */
export type MoveStatus = 'succeeded' | 'failed' | 'skipped' | 'unknown' | 'already-live' | 'not-requested';

export interface MoveRequest {
  readonly incidentId: IncidentId;
  readonly service: ServiceConfig;
  readonly targetId: DeploymentId;
  /** Alias requests older than this are not ours (default: any matching request counts). */
  readonly notBefore?: Date;
}

export interface MoveResult {
  readonly method: MoveMethod;
  readonly status: MoveStatus;
  readonly targetId: DeploymentId;
  readonly fromDeploymentId: string | undefined;
  /** Aliases (domains) that did not move to the target; only for "failed". */
  readonly failedAliases: readonly string[];
  /** When the alias request was made (ours, or the earlier one we waited on). */
  readonly requestedAt: Date | undefined;
  /** True when an earlier identical request was found and awaited instead of requesting again. */
  readonly reusedRequest: boolean;
  /** What happened and what it means, in words for the incident thread. */
  readonly explanation: string;
}

export interface ReconcileRequest {
  readonly incidentId: IncidentId;
  readonly service: ServiceConfig;
  readonly targetId: DeploymentId;
  readonly requestedAt: Date;
}

export interface ExpectedVersion {
  readonly version?: string;
  readonly commitSha?: string;
  /**
   * What the bad deployment served: production must be proven no longer to serve it (an unknown target alone proves
   * nothing).
   */
  readonly notVersion?: string;
  readonly notCommitSha?: string;
  /**
   * The rollback did not move the app (a schema rollback): any version it reports will do; health and smoke prove the
   * rest.
   */
  readonly appNotMoved?: boolean;
}

type CheckKind = 'health' | 'version' | 'smoke';

export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly pass: boolean;
  /** HTTP status, or undefined when no answer came (timeout, refused). */
  readonly status: number | undefined;
  readonly latencyMs: number;
  readonly detail: string;
}

export interface VerificationReport {
  readonly passed: boolean;
  readonly url: string;
  readonly attempts: number;
  /** The checks of the last attempt (all passing when `passed`). */
  readonly checks: readonly CheckResult[];
  /** The first failing check of the last attempt, named for the incident thread. */
  readonly failedCheck: CheckResult | undefined;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

export type DeployProgress =
  | { readonly phase: 'waiting-for-build'; readonly commitSha: CommitSha }
  | { readonly phase: 'uploading'; readonly files: number; readonly missing: number }
  | { readonly phase: 'uploaded'; readonly files: number }
  | { readonly phase: 'created'; readonly deploymentId: DeploymentId; readonly url: string }
  | { readonly phase: 'state'; readonly deploymentId: DeploymentId; readonly state: string };

export interface DeployCommitRequest {
  readonly service: ServiceConfig;
  readonly commitSha: CommitSha;
  /** Folder with the reverted tree; required when the service does not deploy on push. */
  readonly sourceDir?: string;
  readonly onProgress?: (progress: DeployProgress) => void;
}

export interface DeployResult {
  readonly method: 'git-integration' | 'upload';
  /** READY, ERROR, CANCELED as reported, or "timeout" when the build deadline passed first. */
  readonly state: string;
  readonly deploymentId: DeploymentId | undefined;
  readonly url: string | undefined;
  readonly commitSha: CommitSha;
  /** True when the new deployment serves production (false while pinned by an instant rollback). */
  readonly live: boolean;
  readonly explanation: string;
}

export interface DescribeOptions {
  /** A background caller (probes): it yields the rate limit to rollbacks. */
  readonly background?: boolean;
}

/** Whether the bot's pushes can deploy: the platform's view of the committer identity. */
export interface DeployIdentityCheck {
  readonly status: 'pass' | 'fail' | 'skip';
  readonly detail: string;
  readonly fix?: string;
}

export interface ApplicationPort {
  describeProduction(service: ServiceConfig, options?: DescribeOptions): Promise<ProductionStatus>;
  /** Default target, or the one named by deployment id, deployment URL, git commit or app version. */
  resolveTarget(service: ServiceConfig, spec?: string): Promise<ResolvedTarget>;
  /** Idempotent: finds and awaits an identical earlier request instead of making a second one. */
  moveProduction(request: MoveRequest): Promise<MoveResult>;
  /** What became of an earlier request, read without making a new one (after a crash). */
  reconcile(request: ReconcileRequest): Promise<MoveResult>;
  /** Promotes a READY production deployment (Unpin): after an instant rollback, later pushes go live again. */
  promote(request: MoveRequest): Promise<MoveResult>;
  verify(service: ServiceConfig, expected: ExpectedVersion): Promise<VerificationReport>;
  deployCommit(request: DeployCommitRequest): Promise<DeployResult>;
  /** Pre-deployment check that a pushed commit will not be blocked (Vercel: the committer is a team member). */
  checkDeployIdentity?(service: ServiceConfig): Promise<DeployIdentityCheck>;
  /**
   * Rejects, naming what to set, when the adapter cannot act for the service (a credential unset); checked before an
   * incident opens.
   */
  checkAvailable?(service: ServiceConfig): Promise<void>;
}
