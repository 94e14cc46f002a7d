/**
 * Following a new production deployment the way @vercel/client does: through
 * its build to READY, then on until Vercel assigns the production domains to
 * it (aliasAssigned, readySubstate PROMOTED, or the project's
 * targets.production), reports an aliasError or a failed deployment-alias
 * check, or the deadline passes. READY alone is not live: "READY, domains not
 * yet assigned" is progress. BLOCKED is final, with its seat block in words.
 */
import type { Logger } from '../logger';
import type { Clock } from '../rollback/clock';
import { isRollbackError } from '../rollback/errors';
import type { CommitSha, DeploymentId } from '../rollback/ids';
import type { DeployProgress, DeployResult, MoveResult } from '../rollback/ports/application';
import type { ProjectRef, VercelClient } from './client';
import type { Sleep } from './http';
import type { VercelDeployment } from './schemas';

export interface FollowContext {
  readonly client: VercelClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  /** The first poll interval; later ones back off from it (1 s gives @vercel/client's 1, 5, 15, 30 s). */
  readonly pollIntervalMs: number;
  /**
   * Promotes a READY deployment (waiting for Vercel's job until the epoch-ms deadline); used when production is pinned.
   */
  readonly promote?: (deploymentId: DeploymentId, deadline: number) => Promise<MoveResult>;
}

interface FollowPlan {
  readonly ref: ProjectRef;
  readonly commitSha: CommitSha;
  readonly method: DeployResult['method'];
  /** When following started, for the backoff. */
  readonly startedAt: number;
  readonly deadline: number;
  readonly deadlineSeconds: number;
  readonly report: (progress: DeployProgress) => void;
}

const BUILD_FINAL = new Set(['READY', 'ERROR', 'CANCELED', 'BLOCKED']);
export const AWAITING_DOMAINS = 'READY, production domains not yet assigned';

/**
 * @vercel/client's polling delay (1 s up to 15 s, 5 s up to 1 min, 15 s up to 5 min, then 30 s),
 * scaled by `baseMs` / 1000 so a faster base keeps the same shape.
 */
export function pollDelay(elapsedMs: number, baseMs: number): number {
  const scale = baseMs / 1000;
  if (elapsedMs <= 15_000 * scale) return baseMs;
  if (elapsedMs <= 60_000 * scale) return 5 * baseMs;
  if (elapsedMs <= 300_000 * scale) return 15 * baseMs;
  return 30 * baseMs;
}

/** Sleeps the backoff for the time followed so far, never past the deadline; false when the deadline has passed. */
export async function waitNext(ctx: FollowContext, startedAt: number, deadline: number): Promise<boolean> {
  const now = ctx.clock.now().getTime();
  if (now >= deadline) return false;
  await ctx.sleep(Math.min(pollDelay(now - startedAt, ctx.pollIntervalMs), deadline - now));
  return true;
}

/** A BLOCKED deployment's seat block in words, with what to change. */
function describeBlock(blockCode: string | undefined, commitSha: string): string {
  const head =
    `Vercel blocked the deployment of ${commitSha} ` +
    `(BLOCKED${blockCode ? `, ${blockCode}` : ''}); it will not build and production ` +
    `was not changed.`;
  switch (blockCode) {
    case 'COMMIT_AUTHOR_REQUIRED':
      return (
        `${head} Vercel could not tie the commit's author to a Vercel user. Make ` +
        `git.committer in the services file an identity (email) of a member of the Vercel ` +
        `team, or set vercel.deploysOnPush to false so the bot deploys through the upload ` +
        `path with its token.`
      );
    case 'TEAM_ACCESS_REQUIRED':
      return (
        `${head} The commit's author is not a member of the Vercel team. Make ` +
        `git.committer in the services file a member of the team (or invite that ` +
        `identity), or set vercel.deploysOnPush to false so the bot deploys through the ` +
        `upload path with its token.`
      );
    default:
      return `${head} Open the deployment in the Vercel dashboard to see why, and approve or unblock it there.`;
  }
}

function outcome(
  d: VercelDeployment,
  plan: FollowPlan,
  state: string,
  live: boolean,
  explanation: string,
): DeployResult {
  return {
    method: plan.method,
    state,
    deploymentId: d.id as DeploymentId,
    url: d.url,
    commitSha: plan.commitSha,
    live,
    explanation,
  };
}

function domainsAssigned(d: VercelDeployment): boolean {
  return d.aliasAssigned || d.readySubstate === 'PROMOTED';
}

/** Reads the deployment again; a passing Vercel fault keeps the last answer. */
async function reread(ctx: FollowContext, ref: ProjectRef, current: VercelDeployment): Promise<VercelDeployment> {
  try {
    return await ctx.client.getDeployment(ref, current.id);
  } catch (error) {
    if (!isRollbackError(error) || !error.retryable) throw error;
    ctx.logger.warn({ err: error }, 'reading the deployment failed; still following it');
    return current;
  }
}

export async function followDeployment(
  ctx: FollowContext,
  plan: FollowPlan,
  first: VercelDeployment,
): Promise<DeployResult> {
  let current = first;
  let reported: string | undefined;
  let checkedProject = false;
  for (;;) {
    const shown = current.state === 'READY' && !domainsAssigned(current) ? AWAITING_DOMAINS : current.state;
    if (shown !== reported) {
      reported = shown;
      plan.report({ phase: 'state', deploymentId: current.id as DeploymentId, state: shown });
    }
    if (current.state === 'BLOCKED')
      return outcome(current, plan, 'BLOCKED', false, describeBlock(current.blockCode, plan.commitSha));
    if (BUILD_FINAL.has(current.state) && current.state !== 'READY') {
      const said = current.errorMessage ? ` Vercel said: "${current.errorMessage.slice(0, 300)}".` : '';
      return outcome(
        current,
        plan,
        current.state,
        false,
        `The build of ${plan.commitSha} ended ${current.state}; production was not ` +
          `changed.${said} Open ${current.url} in the Vercel dashboard for the build log.`,
      );
    }
    if (current.state === 'READY') {
      const decided = await domainsDecided(ctx, plan, current, !checkedProject);
      checkedProject = true;
      if (decided) return decided;
    }
    if (!(await waitNext(ctx, plan.startedAt, plan.deadline))) {
      const where =
        current.state === 'READY'
          ? `is READY but Vercel had not assigned the production domains to it within ${plan.deadlineSeconds} s`
          : `did not finish building within ${plan.deadlineSeconds} s`;
      return outcome(
        current,
        plan,
        'timeout',
        false,
        `The deployment of ${plan.commitSha} (${current.url}) ${where}. Vercel has not ` +
          `decided: it may still go live. Check /rollback status or the Vercel dashboard ` +
          `before doing anything else.`,
      );
    }
    current = await reread(ctx, plan.ref, current);
  }
}

/** After READY: live, failed to alias, pinned, or undefined while the domains are still being assigned. */
async function domainsDecided(
  ctx: FollowContext,
  plan: FollowPlan,
  d: VercelDeployment,
  readProject: boolean,
): Promise<DeployResult | undefined> {
  if (domainsAssigned(d))
    return outcome(
      d,
      plan,
      'READY',
      true,
      `The build of ${plan.commitSha} is READY and its production domains are assigned: it serves production.`,
    );
  if (d.aliasError) {
    return outcome(
      d,
      plan,
      'READY',
      false,
      `The build of ${plan.commitSha} is READY but Vercel could not assign the ` +
        `production domains to it: ${d.aliasError.slice(0, 300)}. Production still serves ` +
        `the previous deployment; fix the domains in the Vercel dashboard, then promote ` +
        `${d.id}.`,
    );
  }
  if (d.aliasCheck === 'failed') {
    return outcome(
      d,
      plan,
      'READY',
      false,
      `The build of ${plan.commitSha} is READY but Vercel's deployment-alias check ` +
        `failed, so the production domains were not moved to it. Production still serves ` +
        `the previous deployment; see the check in the Vercel dashboard, then promote ` +
        `${d.id}.`,
    );
  }
  if (!readProject) return undefined;
  // Once: the project tells whether production is pinned (no automatic assignment) or already this deployment.
  const project = await ctx.client.getProject(plan.ref);
  if (project.production?.id === d.id)
    return outcome(d, plan, 'READY', true, `The build of ${plan.commitSha} is READY and serves production.`);
  if (!project.autoAssignCustomDomains) return promotePinned(ctx, plan, d);
  return undefined;
}

/**
 * Production is pinned by an earlier instant rollback, so Vercel will never assign this build by itself.
 * The approved plan is to ship this fix, so it is promoted (which also unpins production for later pushes).
 */
async function promotePinned(ctx: FollowContext, plan: FollowPlan, d: VercelDeployment): Promise<DeployResult> {
  const pinned = `production is pinned by an earlier instant rollback, so Vercel does not assign new deployments`;
  if (!ctx.promote) {
    return outcome(
      d,
      plan,
      'READY',
      false,
      `The build of ${plan.commitSha} is READY but not live: ${pinned}. Promote ${d.id} (Unpin) to make it production.`,
    );
  }
  plan.report({
    phase: 'state',
    deploymentId: d.id as DeploymentId,
    state: 'READY, promoting (production was pinned)',
  });
  const moved = await ctx.promote(d.id as DeploymentId, plan.deadline);
  if (moved.status === 'succeeded' || moved.status === 'already-live') {
    return outcome(
      d,
      plan,
      'READY',
      true,
      `The build of ${plan.commitSha} is READY; ${pinned}, so the bot promoted it: it ` +
        `serves production, and later pushes go live again. ${moved.explanation}`,
    );
  }
  const state = moved.status === 'unknown' ? 'timeout' : 'READY';
  return outcome(
    d,
    plan,
    state,
    false,
    `The build of ${plan.commitSha} is READY but ${pinned}; the bot asked Vercel to promote it: ${moved.explanation}`,
  );
}
