/**
 * What a revert pull request needs from the incident (who asked, why, the
 * timeline so far), and how its progress reaches the thread (step-progress.ts):
 * a timeline entry when its state changes.
 */
import type { PullRequestProgress, RevertContext } from '../ports/code';
import type { StepContext } from './step-context';
import { reportStepProgress } from './step-progress';

export async function revertContext(ctx: StepContext): Promise<RevertContext> {
  const timeline = await ctx.deps.store.timeline(ctx.incident.id);
  return {
    requester:
      ctx.incident.data.requestedBy.startsWith('U') || ctx.incident.data.requestedBy.startsWith('W')
        ? `<@${ctx.incident.data.requestedBy}> (Slack)`
        : ctx.incident.data.requestedBy,
    reason: `${ctx.incident.issue} (trigger: ${ctx.incident.trigger})`,
    timeline: timeline.slice(-40).map((entry) => `${entry.at.toISOString()} ${entry.actor}: ${entry.message}`),
  };
}

export function pullRequestReporter(ctx: StepContext): (progress: PullRequestProgress) => Promise<void> {
  let lastState: string | undefined;
  return async (progress) => {
    const changed = progress.state !== lastState;
    lastState = progress.state;
    const what = progress.state === 'open' ? 'opened or updated' : progress.state;
    await reportStepProgress(
      ctx,
      { pullRequest: progress },
      changed
        ? {
            kind: 'pull_request',
            message: `Revert pull request #${progress.number} ${what}: ${progress.url}`,
            data: { ...progress },
          }
        : undefined,
    );
  };
}
