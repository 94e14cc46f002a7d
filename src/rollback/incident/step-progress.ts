/**
 * How a running step's progress reaches the thread: stored on the step as
 * output (so every replica renders it), a timeline entry when it changes,
 * then a re-render of the incident's messages. Used by the revert pull
 * request and by the deploy step (Vercel's build, then "READY, production
 * domains not yet assigned", then live).
 */
import type { DeployProgress } from '../ports/application';
import type { StepContext } from './step-context';

/** Stores `output` on the running step, with a timeline entry when `changed`, and re-renders the incident. */
export async function reportStepProgress(
  ctx: StepContext,
  output: Record<string, unknown>,
  changed: { kind: string; message: string; data: Record<string, unknown> } | undefined,
): Promise<void> {
  await ctx.deps.store.moveStep(
    ctx.step.id,
    'running',
    'running',
    { output: { ...ctx.step.output, ...output } },
    changed ? { incidentId: ctx.incident.id, actor: ctx.deps.workerId, ...changed } : undefined,
  );
  await ctx.deps.announcer.announce(ctx.incident.id);
}

function describeDeployProgress(progress: DeployProgress): string {
  switch (progress.phase) {
    case 'waiting-for-build':
      return `waiting for Vercel to build commit ${progress.commitSha.slice(0, 7)}`;
    case 'uploading':
      return `uploading the reverted tree to Vercel: ${progress.missing} of ${progress.files} files are new`;
    case 'uploaded':
      return `uploaded ${progress.files} files to Vercel`;
    case 'created':
      return `deployment ${progress.deploymentId} created: ${progress.url}`;
    case 'state':
      return `deployment ${progress.deploymentId}: ${progress.state}`;
  }
}

/**
 * The deploy step's onProgress: each new line ("READY, production domains not yet assigned" among them)
 * is shown in the thread. Reports are written one after another; a failure to write one is logged, never
 * fails the deploy.
 */
export function deployReporter(ctx: StepContext): {
  onProgress: (progress: DeployProgress) => void;
  settled: () => Promise<void>;
} {
  let last: string | undefined;
  let chain = Promise.resolve();
  const onProgress = (progress: DeployProgress): void => {
    const line = describeDeployProgress(progress);
    if (line === last) return;
    last = line;
    chain = chain
      .then(() =>
        reportStepProgress(
          ctx,
          { progress: line },
          { kind: 'deploy_progress', message: `Deploy: ${line}`, data: { ...progress } },
        ),
      )
      .catch((error: unknown) =>
        ctx.deps.logger.warn({ err: error, incidentId: ctx.incident.id }, 'deploy progress not shown'),
      );
  };
  return { onProgress, settled: () => chain };
}
