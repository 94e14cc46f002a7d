/**
 * One progressive release as the bot keeps it: which deployment (the canary)
 * is rolled out over which (the base), at which stage since when, and how it
 * ended. Pure data and pure views over it; the store keeps it, the job moves it.
 */
import type { ServiceName, SlackUserId } from '../ids';
import type { GuardState } from './guard';
import { type ReleaseStagePlan, isFinalStage, stageAt } from './release-plan';
import type { ReleaseState } from './release-state';

interface ReleaseDeploymentRef {
  readonly id: string;
  readonly url: string;
  readonly version?: string | undefined;
  readonly commitSha?: string | undefined;
}

export interface Release {
  readonly id: string;
  readonly service: ServiceName;
  readonly canary: ReleaseDeploymentRef;
  readonly base: ReleaseDeploymentRef;
  readonly stages: readonly ReleaseStagePlan[];
  readonly state: ReleaseState;
  readonly stageIndex: number;
  readonly stageStartedAt: Date;
  readonly startedAt: Date;
  readonly requestedBy: SlackUserId;
  /** What the guard carries between rounds (the MUST 5xx count, sign-in failures, latencies). */
  readonly triggerState: GuardState;
  /** Why it is paused, awaiting approval or aborting, in the thread's words. */
  readonly note?: string | undefined;
  /** Share of traffic the canary had when the release was aborted. */
  readonly abortedAtPercent?: number | undefined;
  readonly incidentId?: string | undefined;
  readonly endedAt?: Date | undefined;
  /** CTO overrides of the gates, with their recorded reasons. */
  readonly overrides: readonly GateOverride[];
}

export interface GateOverride {
  readonly gate: 'preflight' | 'deploy-window';
  readonly by: SlackUserId;
  readonly reason: string;
}

export interface ReleaseProgress {
  /** 1-based. */
  readonly stage: number;
  readonly stageCount: number;
  readonly percent: number;
  readonly elapsedMinutes: number;
  /** Of the stage's watch time; 0 once it is up. */
  readonly remainingMinutes: number;
  readonly final: boolean;
}

const MINUTE = 60_000;

export function progressOf(
  release: Pick<Release, 'stages' | 'stageIndex' | 'stageStartedAt'>,
  now: Date,
): ReleaseProgress {
  const stage = stageAt(release.stages, release.stageIndex);
  const elapsed = Math.max(0, Math.floor((now.getTime() - release.stageStartedAt.getTime()) / MINUTE));
  return {
    stage: release.stageIndex + 1,
    stageCount: release.stages.length,
    percent: stage.percent,
    elapsedMinutes: elapsed,
    remainingMinutes: Math.max(0, stage.watchMinutes - elapsed),
    final: isFinalStage(release.stages, release.stageIndex),
  };
}

/** Whether the stage has been watched for its whole time. */
export function stageTimeUp(release: Pick<Release, 'stages' | 'stageIndex' | 'stageStartedAt'>, now: Date): boolean {
  const stage = stageAt(release.stages, release.stageIndex);
  return now.getTime() - release.stageStartedAt.getTime() >= stage.watchMinutes * MINUTE;
}
