/**
 * The revert pull request's title and description: reviewers see what is
 * reverted, for which incident, who asked and why, and the timeline so far.
 * The description ends with the commit's trailers so a squash merge still
 * carries them onto the deploy branch (the bot finds its own work by them).
 */
import type { RevertContext } from '../rollback/ports/code';
import type { RevertedCommit } from './commit-message';

const MAX_BODY = 60_000;

export function rollbackBranch(incidentId: string): string {
  return `rollback/${incidentId}`;
}

export function pullRequestTitle(commits: readonly RevertedCommit[], incidentId: string): string {
  const shas = commits.map((commit) => commit.sha.slice(0, 7));
  const first = commits[0];
  const what =
    commits.length === 1 && first
      ? `Revert ${shas[0]} "${first.subject.replace(/\s+/g, ' ').slice(0, 80)}"`
      : `Revert ${commits.length} commits: ${shas.join(', ')}`;
  return `${what} (${incidentId})`.slice(0, 250);
}

export function pullRequestBody(input: {
  commitMessage: string;
  incidentId: string;
  requestedBy: string;
  context?: RevertContext;
  mergeMode: string;
}): string {
  const { context } = input;
  const paragraphs = input.commitMessage.trim().split('\n\n');
  const trailers = paragraphs.pop() ?? '';
  const timeline = (context?.timeline ?? []).map((line) => `- ${line.replace(/\s+/g, ' ')}`);
  const merge =
    input.mergeMode === 'manual'
      ? 'A person merges this pull request; the rollback continues (deploy, verification) once it is merged.'
      : 'The bot merges this pull request as soon as the branch rules allow; the rollback continues once it is merged.';
  const sections = [
    `**Production rollback for incident ${input.incidentId}** (rollback-bot, git revert, Option A).`,
    [
      `- Requested by: ${context?.requester ?? input.requestedBy}`,
      `- Reason: ${context?.reason?.replace(/\s+/g, ' ') || 'not given'}`,
    ].join('\n'),
    ...paragraphs.slice(1),
    merge,
    timeline.length > 0 ? `### Timeline so far\n${timeline.join('\n')}` : '',
    trailers,
  ].filter(Boolean);
  const body = sections.join('\n\n');
  if (body.length <= MAX_BODY) return body;
  // GitHub refuses bodies past 65,536 characters: the timeline is what gives way, never the trailers.
  return `${body.slice(0, MAX_BODY - trailers.length - 40)}\n\n(timeline cut)\n\n${trailers}`;
}
