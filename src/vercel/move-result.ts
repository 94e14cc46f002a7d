/**
 * A production move's outcome as a MoveResult: its status, where production
 * came from, the domains left behind, and the explanation in runbook words
 * (what happened, and what the method means for later pushes).
 */
import type { MoveMethod, MoveResult, MoveStatus } from '../rollback/ports/application';
import type { MovePlan } from './move-production';

interface ResultFacts {
  readonly from: string | undefined;
  readonly reused: boolean;
  readonly requestedAt?: number;
  readonly failedAliases?: readonly string[];
  readonly note?: string;
}

export function moveResult(plan: MovePlan, status: MoveStatus, facts: ResultFacts): MoveResult {
  const failedAliases = facts.failedAliases ?? [];
  return {
    method: plan.method,
    status,
    targetId: plan.targetId,
    fromDeploymentId: facts.from,
    failedAliases,
    requestedAt: facts.requestedAt === undefined ? undefined : new Date(facts.requestedAt),
    reusedRequest: facts.reused,
    explanation: [statusSentence(plan, status, failedAliases), facts.note, methodMeaning(plan.method)]
      .filter(Boolean)
      .join(' '),
  };
}

function statusSentence(plan: MovePlan, status: MoveStatus, failedAliases: readonly string[]): string {
  const stillOld = failedAliases.length ? `; still on the old deployment: ${failedAliases.join(', ')}` : '';
  switch (status) {
    case 'succeeded':
      return `Every production domain of ${plan.ref.projectId} now points at ${plan.targetId}.`;
    case 'failed':
      return (
        `Vercel could not move every production domain to ${plan.targetId}${stillOld}. ` +
        `Retry the move or assign those domains in the Vercel dashboard.`
      );
    case 'skipped':
      return (
        `Vercel skipped the move to ${plan.targetId} (a newer promote or rollback ` +
        `replaced it); production was not changed by this request.`
      );
    case 'already-live':
      return `${plan.targetId} already serves production; nothing was moved.`;
    case 'not-requested':
      return `No move to ${plan.targetId} was found on Vercel.`;
    case 'unknown':
      return `The move to ${plan.targetId} is not confirmed yet.`;
  }
}

function methodMeaning(method: MoveMethod): string {
  return method === 'instant-rollback'
    ? 'Method: Vercel instant rollback. Production serves the old build with the ' +
        'environment variables and cron jobs it was built with, and Vercel stops ' +
        'assigning new pushes to production until someone promotes a deployment.'
    : 'Method: promote. The deployment became production without a rebuild, keeping the ' +
        'environment variables it was built with; later pushes keep deploying to ' +
        'production as usual.';
}
