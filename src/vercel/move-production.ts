/**
 * Moving production with Vercel's instant rollback or promote, and waiting
 * until `lastAliasRequest` says every production domain moved. Idempotent:
 * an identical request already on the project is awaited, never repeated.
 * Past the deadline the answer is "unknown": Vercel's job goes on server-side.
 * The result's wording (status sentence, method meaning) is in move-result.ts.
 */
import type { Logger } from '../logger';
import type { Clock } from '../rollback/clock';
import { RollbackError, isRollbackError } from '../rollback/errors';
import type { DeploymentId } from '../rollback/ids';
import type { MoveMethod, MoveResult, ReconcileRequest } from '../rollback/ports/application';
import { type AliasMoveKind, type ProjectRef, type VercelClient, releaseStateOf } from './client';
import type { Sleep } from './http';
import type { VercelAliasRequest, VercelProject } from './schemas';
import type { VercelRollingRelease } from './active-release-schema';
import { rollbackMethod } from '../rollback/last-known-good/rollback-target';
import { moveResult } from './move-result';

export interface MoveContext {
  readonly client: VercelClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  readonly pollIntervalMs: number;
  /** How far Vercel's clock may lag ours when matching `requestedAt`. */
  readonly clockSkewMs: number;
}

export interface MovePlan {
  readonly ref: ProjectRef;
  readonly method: MoveMethod;
  readonly targetId: DeploymentId;
  readonly deadlineMs: number;
  readonly notBefore?: Date | undefined;
  /** Shown in Vercel's dashboard on a rollback: names the incident. */
  readonly description?: string | undefined;
  /** A rollback: all traffic must reach the target at once, never through a staged rolling release. */
  readonly rollback?: boolean;
}

const FINAL = new Set(['succeeded', 'failed', 'skipped']);
const MAX_REQUESTS = 3;

function kindOf(method: MoveMethod): AliasMoveKind {
  return method === 'promote' ? 'promote' : 'rollback';
}

function isOurs(
  request: VercelAliasRequest | undefined,
  plan: MovePlan,
  sinceMs: number | undefined,
): request is VercelAliasRequest {
  return (
    request !== undefined &&
    request.type === kindOf(plan.method) &&
    request.toDeploymentId === plan.targetId &&
    (sinceMs === undefined || request.requestedAt >= sinceMs)
  );
}

export async function moveProduction(ctx: MoveContext, plan: MovePlan): Promise<MoveResult> {
  const deadline = ctx.clock.now().getTime() + plan.deadlineMs;
  const project = await ctx.client.getProject(plan.ref);
  const notBefore = plan.notBefore ? plan.notBefore.getTime() - ctx.clockSkewMs : undefined;
  // Wait on an identical earlier request only while it runs, or when it ended with production on our target:
  // a finished request whose result someone has since moved away from is history, not our job.
  const found = project.lastAliasRequest;
  if (isOurs(found, plan, notBefore) && (isRunning(found) || project.production?.id === plan.targetId)) {
    ctx.logger.info({ requestedAt: found.requestedAt }, 'identical alias request found; waiting on it');
    return waitForJob(ctx, plan, found.requestedAt, deadline, true);
  }
  if (project.production?.id === plan.targetId && !isRunning(project.lastAliasRequest)) {
    return moveResult(plan, 'already-live', { from: project.production.id, reused: false });
  }
  const release = await ctx.client.getActiveRollingRelease(plan.ref, project);
  const move: MovePlan = { ...plan, method: methodOf(plan, project, release) };
  const asked = await requestAndWait(ctx, move, deadline);
  return withReleaseNote(asked.result, move, release, asked.queued);
}

/**
 * A rollback moves as the domain says (`rollbackMethod`: by instant rollback while a rolling release is active or
 * configured). Any other promote (a deploy's, an Unpin's) may queue behind an active release, unless it goes back to
 * the release's base: that promote would only wait while the canary keeps its share, the instant rollback aborts it.
 */
function methodOf(plan: MovePlan, project: VercelProject, release: VercelRollingRelease | undefined): MoveMethod {
  if (plan.rollback) return rollbackMethod(plan.method, releaseStateOf(project, release));
  return plan.method === 'promote' && release?.baseId === plan.targetId ? 'instant-rollback' : plan.method;
}

async function requestAndWait(
  ctx: MoveContext,
  plan: MovePlan,
  deadline: number,
): Promise<{ result: MoveResult; queued: boolean }> {
  for (let attempt = 1; ; attempt += 1) {
    const requestedAt = ctx.clock.now().getTime();
    let status: 201 | 202 | 409;
    try {
      status = (await ctx.client.requestAliasMove(plan.ref, kindOf(plan.method), plan.targetId, plan.description))
        .status;
    } catch (error) {
      if (!isRollbackError(error) || error.code !== 'unavailable') throw error;
      // The request may have reached Vercel before the connection dropped: look before asking again.
      const after = await ctx.client.getProject(plan.ref);
      if (isOurs(after.lastAliasRequest, plan, requestedAt - ctx.clockSkewMs)) {
        return {
          result: await waitForJob(ctx, plan, after.lastAliasRequest.requestedAt, deadline, true),
          queued: false,
        };
      }
      if (attempt >= MAX_REQUESTS) throw error;
      ctx.logger.warn({ err: error, attempt }, 'alias request failed before Vercel recorded it; asking again');
      continue;
    }
    ctx.logger.info({ status, method: plan.method, targetId: plan.targetId }, 'alias request answered');
    if (status === 409) return { result: await afterConflict(ctx, plan, deadline), queued: false };
    return {
      result: await waitForJob(ctx, plan, requestedAt, deadline, false, status === 202),
      queued: status === 202,
    };
  }
}

/**
 * What a rolling release meant for this move: a promote queued behind it (202), or an instant rollback that aborted it.
 */
function withReleaseNote(
  moved: MoveResult,
  plan: MovePlan,
  release: VercelRollingRelease | undefined,
  queued: boolean,
): MoveResult {
  const canary = release
    ? `${release.canaryId}${release.canaryUrl ? ` (${release.canaryUrl})` : ''}`
    : 'a new deployment';
  let note: string | undefined;
  if (queued) note = `Vercel answered 202: the promote was queued behind the active rolling release of ${canary}.`;
  else if (
    release &&
    plan.method === 'instant-rollback' &&
    (moved.status === 'succeeded' || moved.status === 'unknown')
  ) {
    note =
      `A rolling release of ${canary} was active: this instant rollback aborts it ` +
      `(production goes back to ${plan.targetId} for all traffic).`;
  }
  return note ? { ...moved, explanation: `${note} ${moved.explanation}` } : moved;
}

function isRunning(request: VercelAliasRequest | undefined): boolean {
  return request !== undefined && !FINAL.has(request.jobStatus);
}

/** 409: either the target already serves production (a no-op) or another job holds the project. */
async function afterConflict(ctx: MoveContext, plan: MovePlan, deadline: number): Promise<MoveResult> {
  const project = await ctx.client.getProject(plan.ref);
  if (isOurs(project.lastAliasRequest, plan, undefined) && isRunning(project.lastAliasRequest)) {
    return waitForJob(ctx, plan, project.lastAliasRequest.requestedAt, deadline, true);
  }
  if (project.production?.id === plan.targetId) {
    return moveResult(plan, 'already-live', { from: project.production.id, reused: false });
  }
  const other = project.lastAliasRequest;
  throw new RollbackError(
    'conflict',
    `Vercel refused to move production to ${plan.targetId}: another ` +
      `${other?.type ?? 'promote or rollback'} is in progress on ` +
      `${plan.ref.projectId}${other ? ` (to ${other.toDeploymentId}, ${other.jobStatus})` : ''}.`,
    {
      retryable: true,
      fix: 'Wait for the other move to finish (or cancel it in the Vercel dashboard), then ask again.',
    },
  );
}

async function waitForJob(
  ctx: MoveContext,
  plan: MovePlan,
  requestedAt: number,
  deadline: number,
  reused: boolean,
  queued = false,
): Promise<MoveResult> {
  // A request we found on the project matches exactly; our own may carry Vercel's slightly different clock.
  const sinceMs = reused ? requestedAt : requestedAt - ctx.clockSkewMs;
  let last: VercelProject | undefined;
  for (;;) {
    try {
      last = await ctx.client.getProject(plan.ref);
      const request = last.lastAliasRequest;
      if (isOurs(request, plan, sinceMs) && FINAL.has(request.jobStatus)) {
        const done = await finish(ctx, plan, last, request, reused);
        if (done) return done;
      }
    } catch (error) {
      if (!isRollbackError(error) || !error.retryable) throw error;
      ctx.logger.warn({ err: error }, 'reading the alias job failed; still waiting');
    }
    if (ctx.clock.now().getTime() >= deadline) {
      return moveResult(plan, 'unknown', {
        from: last?.lastAliasRequest?.fromDeploymentId,
        reused,
        requestedAt,
        note:
          `${queued ? 'Vercel queued the request behind a rolling release and ' : 'Vercel '}did ` +
          `not finish moving the domains within ${Math.round(plan.deadlineMs / 1000)} s. ` +
          `The job goes on at Vercel: check again with /rollback status and do not request ` +
          `it a second time.`,
      });
    }
    await ctx.sleep(ctx.pollIntervalMs);
  }
}

/** A final job status as a result; undefined while "succeeded" is not yet visible in targets.production. */
async function finish(
  ctx: MoveContext,
  plan: MovePlan,
  project: VercelProject,
  request: VercelAliasRequest,
  reused: boolean,
): Promise<MoveResult | undefined> {
  const common = { from: request.fromDeploymentId, reused, requestedAt: request.requestedAt };
  if (request.jobStatus === 'succeeded') {
    if (project.production?.id !== plan.targetId) return undefined;
    return moveResult(plan, 'succeeded', common);
  }
  if (request.jobStatus === 'failed') {
    const failedAliases = await ctx.client.listFailedAliases(plan.ref, kindOf(plan.method)).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not list the aliases that failed to move');
      return [] as string[];
    });
    return moveResult(plan, 'failed', { ...common, failedAliases });
  }
  return moveResult(plan, 'skipped', common);
}

/** After a crash: what became of a request made at `requestedAt`, without making a new one. */
export async function reconcile(ctx: MoveContext, plan: MovePlan, request: ReconcileRequest): Promise<MoveResult> {
  const project = await ctx.client.getProject(plan.ref);
  const since = request.requestedAt.getTime() - ctx.clockSkewMs;
  const last = project.lastAliasRequest;
  if (isOurs(last, plan, since)) {
    if (FINAL.has(last.jobStatus)) {
      const done = await finish(ctx, plan, project, last, true);
      if (done) return done;
    }
    return moveResult(plan, 'unknown', {
      from: last.fromDeploymentId,
      reused: true,
      requestedAt: last.requestedAt,
      note: `Vercel is still moving the domains (job ${last.jobStatus}); wait on it rather than asking again.`,
    });
  }
  if (project.production?.id === plan.targetId) {
    return moveResult(plan, 'already-live', { from: undefined, reused: false });
  }
  return moveResult(plan, 'not-requested', {
    from: project.production?.id,
    reused: false,
    note:
      'Vercel has no record of this request: it was never made (or a newer request ' +
      'replaced it). It is safe to request the move again.',
  });
}
