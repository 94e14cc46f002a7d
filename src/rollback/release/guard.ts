/**
 * The guard of a release: the runbook's triggers judged on the canary alone.
 * The bot probes the canary's own URL (health, version, sign-in smoke), so its
 * evidence is the canary's whatever share of traffic it has; its P95 is held
 * against the base deployment's, measured the same way; its share of failed
 * answers counts as a feature error rate (the runbook's SHOULD above 10%);
 * alerts that name the service add what they declare. The existing trigger
 * rules decide: MUST aborts at once, SHOULD pauses and asks Abort / Continue,
 * otherwise the stage advances when its time is up (or on Approve).
 */
import type { TriggerSettings } from '../../config/service-schema';
import { sampleFromSignals } from '../signals/interval-sample';
import { P95_SAMPLES, type ProbeObservation, probeEvidenceOf } from '../signals/probe-evidence';
import type { Signal } from '../signals/signal';
import {
  type Evaluation,
  INITIAL_TRIGGER_STATE,
  type IntervalSample,
  type TriggerState,
  evaluate,
} from '../signals/triggers';
import { type Release, stageTimeUp } from './release';
import { isFinalStage } from './release-plan';

/** What the guard carries from round to round of a release (kept with it, so a restart loses nothing). */
export interface GuardState extends TriggerState {
  /** Rounds in a row, up to the last, in which the canary's sign-in smoke test failed. */
  readonly signInFailedRounds: number;
  /** The latest successful-answer latencies (ms), newest first, of the canary and of the base deployment. */
  readonly canaryLatencies: readonly number[];
  readonly baseLatencies: readonly number[];
  /** The slot (epoch ms) of the latest round judged: the next is due a pace after it (see roundDue). */
  readonly judgedAt?: number;
}

export const INITIAL_GUARD_STATE: GuardState = Object.freeze({
  ...INITIAL_TRIGGER_STATE,
  signInFailedRounds: 0,
  canaryLatencies: [],
  baseLatencies: [],
});

export interface CanaryRound {
  readonly at: Date;
  /** The canary's probe checks of this round (its own URL). */
  readonly canary: readonly ProbeObservation[];
  /** Latencies (ms) of this round's successful answers. */
  readonly canaryLatencies: readonly number[];
  readonly baseLatencies: readonly number[];
  /** Firing alerts that name the service. */
  readonly alerts: readonly Signal[];
}

const newest = (fresh: readonly number[], kept: readonly number[]): number[] =>
  [...fresh, ...kept].slice(0, P95_SAMPLES);

/** The canary's round as the trigger rules read it, and the guard state to keep for the next round. */
function canarySample(
  state: GuardState,
  round: CanaryRound,
): { sample: IntervalSample; latencies: Omit<GuardState, keyof TriggerState | 'signInFailedRounds'> } {
  const canaryLatencies = newest(round.canaryLatencies, state.canaryLatencies);
  const baseLatencies = newest(round.baseLatencies, state.baseLatencies);
  const evidence = probeEvidenceOf({
    window: round.canary,
    // The canary is a known, READY deployment: a 404 from it is evidence, not "not deployed yet".
    deploymentSeenSince: new Date(0),
    currentLatencies: canaryLatencies,
    previousLatencies: baseLatencies,
  });
  const sample: IntervalSample = { at: round.at, ...evidence };
  // Earlier rounds' sign-in failures count towards "auth completely broken" as the probes' runs do.
  if (sample.authFailedRuns !== undefined && sample.authFailedRuns > 0)
    sample.authFailedRuns += state.signInFailedRounds;
  const answered = round.canary.filter((o) => o.ran && o.status !== undefined);
  if (answered.length > 0) {
    const failedShare = answered.filter((o) => !o.ok).length / answered.length;
    sample.featureErrorRates = [{ feature: 'canary', rate: failedShare }];
  }
  return { sample: sampleFromSignals(sample, round.alerts), latencies: { canaryLatencies, baseLatencies } };
}

/** Judges the round with the trigger rules and returns the state for the next round. */
export function judgeCanary(
  state: GuardState,
  round: CanaryRound,
  settings: TriggerSettings,
): { evaluation: Evaluation; state: GuardState } {
  const { sample, latencies } = canarySample(state, round);
  const evaluation = evaluate(state, sample, settings);
  const signInFailedRounds = sample.authFailedRuns === undefined ? state.signInFailedRounds : sample.authFailedRuns;
  return { evaluation, state: { ...evaluation.state, signInFailedRounds, ...latencies } };
}

/**
 * Whether a release's round is due at `slot`, at its service's pace (seconds) counted from the release's own
 * times: the latest round judged or, before its first, the stage's start. Never from the clock's minutes or
 * hours: the job's slots follow the scheduler's time zone and a stage starts whenever it starts, so slots
 * aligned to UTC would watch a stage up to a pace longer than planned, or (a pace of hours in a half-hour time
 * zone) never. A stage whose watch time ends between two rounds is judged at the first slot after it.
 */
export function roundDue(
  release: Pick<Release, 'stages' | 'stageIndex' | 'stageStartedAt' | 'triggerState'>,
  paceSeconds: number,
  slot: Date,
): boolean {
  const last = release.triggerState.judgedAt;
  const from = last ?? release.stageStartedAt.getTime();
  if (slot.getTime() - from >= paceSeconds * 1000) return true;
  return stageTimeUp(release, slot) && !(last !== undefined && stageTimeUp(release, new Date(last)));
}

export type GuardDecision =
  | { readonly action: 'abort'; readonly reason: string }
  | { readonly action: 'pause'; readonly reason: string }
  | { readonly action: 'ask_approval'; readonly reason: string }
  | { readonly action: 'advance'; readonly toIndex: number; readonly reason: string }
  | { readonly action: 'complete'; readonly reason: string }
  | { readonly action: 'watch'; readonly reason: string };

/**
 * What the release does after a round. MUST wins over everything (even a
 * pause or a pending approval); a paused release waits for a person; SHOULD
 * pauses; a stage whose time is up advances only on evidence: a round with no
 * data at all holds it (no data is never a reason to abort, nor to go on).
 */
export function decide(
  release: Pick<Release, 'state' | 'stages' | 'stageIndex' | 'stageStartedAt'>,
  evaluation: Evaluation,
  now: Date,
): GuardDecision {
  if (evaluation.verdict === 'must')
    return { action: 'abort', reason: `MUST trigger on the canary: ${evaluation.reason}` };
  if (release.state === 'paused') return { action: 'watch', reason: 'Paused: waiting for Abort or Continue.' };
  if (evaluation.verdict === 'should')
    return { action: 'pause', reason: `SHOULD trigger on the canary: ${evaluation.reason}` };
  if (release.state === 'awaiting_approval') return { action: 'watch', reason: 'Waiting for Approve.' };
  if (!stageTimeUp(release, now)) return { action: 'watch', reason: evaluation.reason };
  if (evaluation.verdict === 'inconclusive') {
    return {
      action: 'watch',
      reason: `The stage's time is up but the canary gave no evidence yet: holding. ${evaluation.reason}`,
    };
  }
  const stage = release.stages[release.stageIndex];
  if (isFinalStage(release.stages, release.stageIndex)) {
    return {
      action: 'complete',
      reason: `100% of traffic watched ${stage?.watchMinutes ?? 0} minutes without a trigger.`,
    };
  }
  if (stage?.requireApproval)
    return {
      action: 'ask_approval',
      reason: `Stage ${release.stageIndex + 1} watched without a trigger; it needs an Approve to go on.`,
    };
  return {
    action: 'advance',
    toIndex: release.stageIndex + 1,
    reason: `Stage ${release.stageIndex + 1} watched without a trigger.`,
  };
}
