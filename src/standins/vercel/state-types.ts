/**
 * The shapes of the Vercel stand-in's world: deployments, builds, alias jobs,
 * faults and what was asked and answered.
 */
import type { Clock } from '../../rollback/clock';

export interface AppBehaviour {
  version: string;
  commit: string;
  deployedAt: string;
  healthStatus: number;
  /** Share of app requests answered 500, 0..1. */
  errorRate: number;
  latencyMs: number;
  /** Status of smoke routes when the request is well-formed and the credentials are right. */
  smokeStatus: number;
}

export interface StandinDeployment {
  readonly id: string;
  readonly url: string;
  readonly name: string;
  target: 'production' | null;
  readyState: string;
  readonly createdAt: number;
  readonly creator: { uid: string; username: string; email: string };
  readonly meta: Record<string, string>;
  /** It served production once (Vercel's rollback candidates); internal, Vercel shows it as readySubstate PROMOTED. */
  servedProduction: boolean;
  aliasAssigned: number | null;
  aliasError: { code: string; message: string } | null;
  /** The deployment-alias check, as Vercel's checks v2 report it once it ran. */
  aliasCheck: 'succeeded' | 'failed' | undefined;
  /** Why a BLOCKED build was blocked. */
  seatBlock: { blockCode: BlockCode; userId?: string; isVerified?: boolean } | undefined;
  app: AppBehaviour;
  /** Remaining build states and reads until the next one. */
  build: { steps: string[]; readsPerStep: number; reads: number; blockCode?: BlockCode } | undefined;
  /** Production domains not yet assigned to this READY build: reads left until Vercel decides. */
  assignment: { readsLeft: number; outcome: AliasOutcome } | undefined;
}

type BlockCode = 'COMMIT_AUTHOR_REQUIRED' | 'TEAM_ACCESS_REQUIRED';

/** What becomes of a READY production build's domains: assigned, an alias error, or a failed deployment-alias check. */
export type AliasOutcome = 'assigned' | 'alias-error' | 'check-failed';

export interface BuildPlan {
  outcome: 'READY' | 'ERROR' | 'BLOCKED';
  readsPerStep: number;
  /** For BLOCKED: Vercel's seat block code. */
  blockCode?: BlockCode;
}

export interface AliasPlan {
  /** Reads of the deployment after READY before Vercel assigns (or fails to assign) the production domains. */
  afterPolls: number;
  outcome: AliasOutcome;
}

type JobOutcome = 'succeeded' | 'failed' | 'skipped' | 'never';

export interface AliasJobPlan {
  outcome: JobOutcome;
  /** Project reads per job step (pending -> in-progress -> final). */
  pollsPerStep: number;
  failedAliases: string[];
}

export interface AliasRequest {
  type: 'promote' | 'rollback';
  fromDeploymentId: string | null;
  toDeploymentId: string;
  jobStatus: string;
  requestedAt: number;
}

/**
 * `match`: a part of the path it applies to; `skip`: matching requests let through before it fires.
 * A 429 carries X-RateLimit-* headers (reset `resetAfterSeconds` from now, default 1) and Retry-After
 * when `retryAfter` is given; `bare` sends neither.
 * A drop closes the connection before the request is handled (Vercel never saw it), or with
 * `afterHandling` once it was handled (Vercel did it; only the answer is lost).
 */
export type Fault =
  | {
      kind: 'status';
      status: number;
      match?: string;
      skip?: number;
      retryAfter?: string;
      resetAfterSeconds?: number;
      bare?: boolean;
    }
  | { kind: 'drop'; match?: string; skip?: number; afterHandling?: boolean };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  /** The request body as text ('' when none). */
  readonly body: string;
}

/** One answer of the REST API as sent, for the contract test. */
export interface RecordedAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

export interface NewDeployment {
  /** Its host; default <project>-<random>.vercel.app. */
  url?: string;
  target?: 'production' | null;
  state?: string;
  version?: string;
  commit?: string;
  commitMessage?: string;
  /** It served production before (a rollback candidate); default true for READY production deployments. */
  servedProduction?: boolean;
  /** Make it the live production deployment. */
  live?: boolean;
  createdAt?: number;
  creator?: string;
  meta?: Record<string, string>;
  app?: Partial<AppBehaviour>;
  build?: Partial<BuildPlan>;
}

export interface StandinStateOptions {
  readonly projectId?: string;
  readonly projectName?: string;
  readonly teamId?: string;
  readonly plan?: 'hobby' | 'pro';
  readonly domains?: string[];
  readonly clock?: Clock;
  /** Reads of a READY production build before its domains are assigned; default 3, as Vercel is never instant. */
  readonly aliasAfterPolls?: number;
}

/** A rolling release stage as Vercel configures it: a `duration` (minutes) ends it, else it waits for approval. */
export interface ReleaseStage {
  targetPercentage: number;
  duration?: number;
  requireApproval?: boolean;
  linearShift?: boolean;
}

/** The project's rolling release configuration (PATCH .../rolling-release/config): a template for the next release. */
export interface ReleaseConfig {
  target: 'production';
  stages: ReleaseStage[];
}

/** A rolling release document: `canaryId` is rolled out over `baseId`, stage by stage. */
export interface StandinRelease {
  baseId: string;
  canaryId: string;
  startedAt: number;
  state: 'ACTIVE' | 'ABORTED' | 'COMPLETE';
  stages: ReleaseStage[];
  /** The stage serving now; meaningful while ACTIVE. */
  activeIndex: number;
  stageStartedAt: number;
  updatedAt: number;
  /** Requests the production domains served during the release, for an exact traffic split. */
  served: number;
}
