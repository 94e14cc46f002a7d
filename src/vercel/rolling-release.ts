/**
 * Vercel's Rolling Releases API, thin: configure the project's stages, start a
 * release of a canary, read it, approve the next stage, complete it, and abort
 * it the way Vercel does (an instant rollback to the base deployment). The bot
 * drives every stage itself (each configured to wait for approval) so that no
 * stage advances before the canary's evidence was judged.
 */
import { z } from 'zod';
import { RollbackError } from '../rollback/errors';
import { type Logger, silentLogger } from '../logger';
import { type ProjectRef, VercelClient } from './client';
import { type FetchLike, type Sleep, VercelHttp, realSleep } from './http';
import { type MoveContext, moveProduction } from './move-production';
import { withCallScope } from './rate-limit';
import type { DeploymentId } from '../rollback/ids';
import type { MoveResult } from '../rollback/ports/application';
import type { VercelDeployment } from './schemas';

interface ReleaseStageConfig {
  readonly targetPercentage: number;
}

interface ReleaseDeployment {
  readonly id: string;
  readonly url: string;
}

interface RollingReleaseState {
  readonly state: 'ACTIVE' | 'COMPLETE' | 'ABORTED';
  /** The deployment being rolled out. */
  readonly canary: ReleaseDeployment;
  /** The deployment serving the rest of production traffic (after COMPLETE: the canary). */
  readonly base: ReleaseDeployment;
  /** The stage serving now; undefined once aborted. */
  readonly activeStage:
    { readonly index: number; readonly targetPercentage: number; readonly isFinalStage: boolean } | undefined;
  readonly stageCount: number;
  readonly startedAt: number;
  readonly updatedAt: number;
}

const deployment = z.object({ id: z.string(), url: z.string() }).passthrough();
const stage = z.object({ index: z.number(), targetPercentage: z.number(), isFinalStage: z.boolean() }).passthrough();
const releaseSchema = z
  .object({
    rollingRelease: z
      .object({
        state: z.enum(['ACTIVE', 'COMPLETE', 'ABORTED']),
        currentDeployment: deployment.nullable(),
        canaryDeployment: deployment.nullable(),
        activeStage: stage.nullable(),
        stages: z.array(stage),
        startedAt: z.number(),
        updatedAt: z.number(),
      })
      .passthrough()
      .nullable(),
  })
  .passthrough();

/** The release in an answer, or undefined when Vercel says there is none. */
function parseRelease(body: unknown): RollingReleaseState | undefined {
  const parsed = releaseSchema.safeParse(body);
  if (!parsed.success) {
    throw new RollbackError(
      'external',
      `Vercel answered with a rolling release the bot cannot read (${parsed.error.issues[0]?.message ?? 'its shape'}).`,
      {
        retryable: true,
        fix: 'This is usually a passing Vercel fault; try again. If it persists, the Vercel API changed: report it.',
      },
    );
  }
  const release = parsed.data.rollingRelease;
  if (!release?.canaryDeployment || !release.currentDeployment) return undefined;
  const pick = (d: { id: string; url: string }) => ({ id: d.id, url: d.url });
  const active = release.activeStage;
  return {
    state: release.state,
    canary: pick(release.canaryDeployment),
    base: pick(release.currentDeployment),
    activeStage: active
      ? { index: active.index, targetPercentage: active.targetPercentage, isFinalStage: active.isFinalStage }
      : undefined,
    stageCount: release.stages.length,
    startedAt: release.startedAt,
    updatedAt: release.updatedAt,
  };
}

export class VercelRollingReleases {
  constructor(
    private readonly http: VercelHttp,
    private readonly client: VercelClient,
    /** How an abort's alias move is followed to its end (the rollbacks' own code, move-production.ts). */
    private readonly moves: Omit<MoveContext, 'client'>,
  ) {}

  private path(ref: ProjectRef, rest = ''): string {
    return `/v1/projects/${encodeURIComponent(ref.projectId)}/rolling-release${rest}`;
  }

  /** Sets the project's stages, each waiting for approval: the bot advances them when the canary's evidence allows. */
  async configure(ref: ProjectRef, stages: readonly ReleaseStageConfig[]): Promise<void> {
    await this.http.call(this.path(ref, '/config'), {
      method: 'PATCH',
      what: `configure the rolling release of project ${ref.projectId}`,
      teamId: ref.teamId,
      body: {
        target: 'production',
        stages: stages.map((s) => ({ targetPercentage: s.targetPercentage, requireApproval: true })),
      },
    });
  }

  /** Starts a release of `canaryId`; not retried (a retry could start a second one): read() tells what happened. */
  start(ref: ProjectRef, canaryId: string): Promise<RollingReleaseState | undefined> {
    return this.act(ref, '/start', `start a rolling release of ${canaryId}`, { canaryDeploymentId: canaryId });
  }

  /** The project's latest release (active, complete or aborted), or undefined. */
  async read(ref: ProjectRef): Promise<RollingReleaseState | undefined> {
    const what = `read the rolling release of project ${ref.projectId}`;
    const { body } = await this.http.call(this.path(ref), { what, teamId: ref.teamId });
    return parseRelease(body);
  }

  approveStage(ref: ProjectRef, canaryId: string, nextStageIndex: number): Promise<RollingReleaseState | undefined> {
    const what = `move the rolling release of ${canaryId} to stage ${nextStageIndex + 1}`;
    return this.act(ref, '/approve-stage', what, { nextStageIndex, canaryDeploymentId: canaryId });
  }

  complete(ref: ProjectRef, canaryId: string): Promise<RollingReleaseState | undefined> {
    return this.act(ref, '/complete', `complete the rolling release of ${canaryId}`, { canaryDeploymentId: canaryId });
  }

  /** A POST that changes the release: never retried blindly, the caller reads the release to learn what happened. */
  private async act(
    ref: ProjectRef,
    action: string,
    what: string,
    body: unknown,
  ): Promise<RollingReleaseState | undefined> {
    const options = { method: 'POST' as const, what, teamId: ref.teamId, retryUnsafe: false, body };
    const answer = await this.http.call(this.path(ref, action), options);
    return parseRelease(answer.body);
  }

  /** The deployment production serves now: the base of a release that starts. */
  async production(ref: ProjectRef): Promise<ReleaseCandidate> {
    const project = await this.client.getProject(ref);
    if (!project.production) {
      throw new RollbackError('not_found', `Vercel reports no production deployment for project ${ref.projectId}.`, {
        fix: 'Deploy to production once before a progressive rollout; check vercel.projectId in the services file.',
      });
    }
    return candidateOf(project.production);
  }

  /**
   * The deployment to release: the one named (deployment id or URL, or a commit), else the newest READY production
   * deployment that never served production. It must be READY and built for production.
   */
  async candidate(ref: ProjectRef, spec?: string): Promise<ReleaseCandidate> {
    if (spec && (/^dpl_/.test(spec) || spec.includes('.')))
      return usable(await this.client.getDeployment(ref, spec), spec);
    const page = await this.client.listDeployments(ref, { target: 'production', state: 'READY', limit: 50 });
    const commit = spec?.toLowerCase();
    const found = page.deployments.find((d) =>
      commit ? (d.meta.githubCommitSha ?? '').toLowerCase().startsWith(commit) : d.readySubstate === 'STAGED',
    );
    if (!found) {
      throw new RollbackError(
        'not_found',
        spec
          ? `No READY production deployment of ${spec} on Vercel.`
          : 'No READY production deployment waits to be released.',
        {
          fix: 'Name the deployment (dpl_…) or the commit, or deploy the candidate to production (not promoted).',
        },
      );
    }
    return usable(found, spec ?? found.id);
  }

  /**
   * Aborts as Vercel does: an instant rollback to the base deployment sends all traffic back to it. Followed like a
   * rollback's alias move (an identical request in flight is awaited, never repeated) until every production domain
   * moved or the deadline passed; the result says which.
   */
  abort(ref: ProjectRef, baseId: string, reason: string, deadlineMs: number): Promise<MoveResult> {
    const deadline = this.moves.clock.now().getTime() + deadlineMs;
    return withCallScope({ priority: 'rollback', deadline }, () =>
      moveProduction(
        { ...this.moves, client: this.client },
        {
          ref,
          method: 'instant-rollback',
          targetId: baseId as DeploymentId,
          deadlineMs,
          description: reason,
          rollback: true,
        },
      ),
    );
  }
}

interface ReleaseCandidate {
  readonly id: string;
  readonly url: string;
  readonly commitSha: string | undefined;
}

function candidateOf(d: VercelDeployment): ReleaseCandidate {
  return { id: d.id, url: d.url, commitSha: d.meta.githubCommitSha };
}

function usable(d: VercelDeployment, spec: string): ReleaseCandidate {
  if (d.state !== 'READY' || d.target !== 'production') {
    throw new RollbackError(
      'bad_input',
      `${spec} is not a READY production deployment (it is ${d.state}, target ${d.target ?? 'preview'}).`,
      {
        fix: 'Release a READY production deployment; a preview must be redeployed to production first.',
      },
    );
  }
  return candidateOf(d);
}

interface RollingReleaseOptions {
  readonly token: string;
  /** VERCEL_API_URL; default https://api.vercel.com. */
  readonly apiUrl?: string | undefined;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** How often an abort's alias job is polled; default 1 s. */
  readonly pollIntervalMs?: number;
}

export function createRollingReleases(options: RollingReleaseOptions): VercelRollingReleases {
  const http = new VercelHttp({
    token: options.token,
    baseUrl: options.apiUrl,
    fetch: options.fetch,
    sleep: options.sleep,
    logger: options.logger,
    now: options.now,
  });
  const now = options.now ?? Date.now;
  return new VercelRollingReleases(http, new VercelClient(http), {
    clock: { now: () => new Date(now()) },
    sleep: options.sleep ?? realSleep,
    logger: options.logger ?? silentLogger,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    clockSkewMs: 30_000,
  });
}
