/**
 * The new deployment after a git revert: wait for Vercel's git integration to
 * build the pushed commit, or create the production deployment from the
 * reverted tree with @vercel/client (the runbook's `vercel --prod`). Progress
 * is reported as it happens; the build is followed with our own polling so the
 * per-service build deadline holds.
 */
import type { createDeployment } from '@vercel/client';
import { RollbackError, isRollbackError } from '../rollback/errors';
import type { CommitSha, DeploymentId } from '../rollback/ids';
import type { DeployCommitRequest, DeployProgress, DeployResult } from '../rollback/ports/application';
import type { ProjectRef } from './client';
import { type FollowContext, followDeployment, waitNext } from './follow-deployment';
import type { VercelDeployment } from './schemas';
import { matchesCommit } from './targets';

export type CreateDeployment = typeof createDeployment;

interface DeployContext extends FollowContext {
  readonly token: string;
  readonly apiUrl: string | undefined;
  readonly createDeployment: CreateDeployment;
}

export async function deployCommit(ctx: DeployContext, request: DeployCommitRequest): Promise<DeployResult> {
  const { service, commitSha } = request;
  const ref: ProjectRef = { projectId: service.vercel.projectId, teamId: service.vercel.teamId };
  const startedAt = ctx.clock.now().getTime();
  const deadline = startedAt + service.vercel.buildDeadlineSeconds * 1000;
  const report = (progress: DeployProgress): void => {
    ctx.logger.info({ progress }, 'deployment progress');
    request.onProgress?.(progress);
  };
  const follow = { ref, commitSha, startedAt, deadline, deadlineSeconds: service.vercel.buildDeadlineSeconds, report };
  if (service.vercel.deploysOnPush) {
    report({ phase: 'waiting-for-build', commitSha });
    const found = await waitForGitBuild(ctx, ref, commitSha, startedAt, deadline);
    if (!found) {
      return {
        method: 'git-integration',
        state: 'timeout',
        deploymentId: undefined,
        url: undefined,
        commitSha,
        live: false,
        explanation:
          `Vercel did not start a production build of ${commitSha} within ` +
          `${service.vercel.buildDeadlineSeconds} s. Check the git integration in the ` +
          `Vercel dashboard (is the branch connected, was the push ignored?).`,
      };
    }
    report({ phase: 'created', deploymentId: found.id as DeploymentId, url: found.url });
    return followDeployment(ctx, { ...follow, method: 'git-integration' }, found);
  }
  if (!request.sourceDir) {
    throw new RollbackError(
      'bad_input',
      `${service.name} does not deploy on push, and no folder with the reverted tree was given.`,
      {
        fix:
          'Pass the working clone of the reverted branch as sourceDir, or set ' +
          'vercel.deploysOnPush if Vercel builds every push.',
      },
    );
  }
  const created = await upload(ctx, ref, request.sourceDir, commitSha, report);
  report({ phase: 'created', deploymentId: created.id as DeploymentId, url: created.url });
  return followDeployment(ctx, { ...follow, method: 'upload' }, created);
}

/** The production build of the pushed commit, found with the list endpoint's `sha` filter (one call per poll). */
async function waitForGitBuild(
  ctx: DeployContext,
  ref: ProjectRef,
  sha: CommitSha,
  startedAt: number,
  deadline: number,
): Promise<VercelDeployment | undefined> {
  for (;;) {
    try {
      const page = await ctx.client.listDeployments(ref, { target: 'production', sha, limit: 5 });
      const found = page.deployments.find((d) => matchesCommit(d, sha));
      if (found) return found;
    } catch (error) {
      if (!isRollbackError(error) || !error.retryable) throw error;
      ctx.logger.warn({ err: error }, 'listing deployments failed; still waiting for the build');
    }
    if (!(await waitNext(ctx, startedAt, deadline))) return undefined;
  }
}

async function upload(
  ctx: DeployContext,
  ref: ProjectRef,
  sourceDir: string,
  commitSha: CommitSha,
  report: (progress: DeployProgress) => void,
): Promise<VercelDeployment> {
  const events = ctx.createDeployment(
    {
      token: ctx.token,
      path: sourceDir,
      isDirectory: true,
      teamId: ref.teamId,
      apiUrl: ctx.apiUrl,
      userAgent: 'rollback-bot',
    },
    // `project` (id or name) pins the deployment to the configured project; `name` alone would be read as a project
    // name.
    {
      name: ref.projectId,
      project: ref.projectId,
      target: 'production',
      meta: { gitCommitSha: commitSha },
      gitMetadata: { commitSha, dirty: false },
    } as Parameters<typeof ctx.createDeployment>[1],
  );
  let fileCount = 0;
  for await (const event of events) {
    const payload = event.payload as Record<string, unknown> | undefined;
    if (event.type === 'hashes-calculated') fileCount = Object.keys(payload ?? {}).length;
    if (event.type === 'file-count') {
      const missing = Array.isArray(payload?.missing) ? payload.missing.length : 0;
      report({ phase: 'uploading', files: fileCount, missing });
    }
    if (event.type === 'all-files-uploaded') report({ phase: 'uploaded', files: fileCount });
    if (event.type === 'error') throw uploadError(payload);
    // From here on we follow the build ourselves, with the service's deadline.
    if (event.type === 'created' && payload) return ctx.client.getDeployment(ref, String(payload.id ?? payload.url));
  }
  throw new RollbackError('external', 'Vercel did not confirm the new deployment.', {
    retryable: true,
    fix: 'Check the Vercel dashboard for a deployment of this commit before trying again.',
  });
}

function uploadError(payload: Record<string, unknown> | undefined): RollbackError {
  const status = typeof payload?.status === 'number' ? payload.status : undefined;
  const message = typeof payload?.message === 'string' ? payload.message : 'unknown error';
  const forbidden = status === 401 || status === 403;
  return new RollbackError(
    forbidden ? 'forbidden' : 'external',
    `Vercel refused the new deployment${status ? ` (HTTP ${status})` : ''}: ${message.slice(0, 300)}.`,
    {
      retryable: status === undefined || status >= 500 || status === 429,
      fix: forbidden
        ? 'Check VERCEL_TOKEN and vercel.teamId: the token must be allowed to deploy to this project.'
        : 'Read the message above; fix the tree or the project settings and deploy again.',
      details: { status, vercelCode: payload?.code },
    },
  );
}
