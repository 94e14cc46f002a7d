/**
 * The runbook's "Progressive Rollout (Reduce Blast Radius)" as a plan for one
 * service: the stages of production traffic the canary gets (default 10%, 50%,
 * 100%, each watched 30 minutes), which of them wait for a person's Approve,
 * where the candidate's smoke tests run first (staging), and how long the
 * release must stay stable at 100% before it is last known good (24 hours).
 */
import type { ServiceConfig } from '../../config/service-schema';
import { RollbackError } from '../errors';

export interface ReleaseStagePlan {
  /** Share of production traffic on the canary, 1-100. */
  readonly percent: number;
  readonly watchMinutes: number;
  readonly requireApproval: boolean;
}

/** The runbook's "Progressive Rollout": 10%, 50%, 100% of production traffic, each watched 30 minutes. */
export const DEFAULT_ROLLOUT_STAGES = [10, 50, 100].map((percent) => ({
  percent,
  watchMinutes: 30,
  requireApproval: false,
}));

/** The runbook's "full rollout after 24 hours stable": hours at 100% before the deployment is last known good. */
export const DEFAULT_STABLE_HOURS = 24;

interface ReleasePlan {
  readonly stages: readonly ReleaseStagePlan[];
  /** Where the smoke tests run against the candidate before the release; undefined when none is configured. */
  readonly stagingUrl: string | undefined;
  readonly stableHours: number;
}

export function releasePlan(service: ServiceConfig): ReleasePlan {
  const rollout = service.rollout;
  return {
    stages: (rollout?.stages ?? DEFAULT_ROLLOUT_STAGES).map((s) => ({ ...s })),
    stagingUrl: rollout?.stagingUrl ?? service.staging?.url,
    stableHours: rollout?.stableHours ?? DEFAULT_STABLE_HOURS,
  };
}

/** The stage at `index`, or a typed error: a release never points past its plan. */
export function stageAt(stages: readonly ReleaseStagePlan[], index: number): ReleaseStagePlan {
  const stage = stages[index];
  if (!stage) {
    throw new RollbackError('internal', `Release stage ${index + 1} does not exist (the plan has ${stages.length}).`, {
      fix: 'Report this: the release record and its plan disagree.',
    });
  }
  return stage;
}

export const isFinalStage = (stages: readonly ReleaseStagePlan[], index: number): boolean => index >= stages.length - 1;

/** "10% → 50% → 100%, 30 min each": the plan in one line for the thread. */
export function describePlan(stages: readonly ReleaseStagePlan[]): string {
  const same = stages.every((s) => s.watchMinutes === stages[0]?.watchMinutes);
  const steps = stages.map(
    (s) => `${s.percent}%${same ? '' : ` (${s.watchMinutes} min)`}${s.requireApproval ? ' [approval]' : ''}`,
  );
  return `${steps.join(' → ')}${same && stages[0] ? `, ${stages[0].watchMinutes} min each` : ''}`;
}
