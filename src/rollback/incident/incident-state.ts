/**
 * An incident's state follows from its steps: the engine changes steps, then
 * asks `advanceIncident` where the incident now stands. States mirror the
 * `incident_state` enum; open, rolling_back and verifying are the "open"
 * states the one-incident-per-service index counts.
 */
import { RollbackError } from '../errors';
import type { StepKind, StepState } from './step-state';

export const INCIDENT_STATES = ['open', 'rolling_back', 'verifying', 'resolved', 'failed', 'cancelled'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_EVENTS = ['begin_rollback', 'begin_verification', 'resolve', 'fail', 'cancel'] as const;
export type IncidentEvent = (typeof INCIDENT_EVENTS)[number];

const MOVES: Record<IncidentState, Partial<Record<IncidentEvent, IncidentState>>> = {
  // An incident may be resolved or cancelled without any step: a hotfix worked, or a false alarm.
  open: { begin_rollback: 'rolling_back', resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  rolling_back: { begin_verification: 'verifying', resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  verifying: { resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  resolved: {},
  failed: {},
  cancelled: {},
};

const EVENT_FOR: Record<IncidentState, IncidentEvent | undefined> = {
  open: undefined,
  rolling_back: 'begin_rollback',
  verifying: 'begin_verification',
  resolved: 'resolve',
  failed: 'fail',
  cancelled: 'cancel',
};

export function isIncidentOpen(state: IncidentState): boolean {
  return state === 'open' || state === 'rolling_back' || state === 'verifying';
}

export function transitionIncident(state: IncidentState, event: IncidentEvent): IncidentState {
  const next = MOVES[state][event];
  if (next === undefined) {
    const finished = !isIncidentOpen(state);
    throw new RollbackError('illegal_transition', `An incident that is ${state} cannot take "${event}".`, {
      fix: finished
        ? 'It is closed; open a new rollback instead.'
        : `Allowed from ${state}: ${Object.keys(MOVES[state]).join(', ')}.`,
      details: { from: state, event },
    });
  }
  return next;
}

export interface StepView {
  readonly kind: StepKind;
  readonly state: StepState;
}

interface DerivedIncident {
  readonly state: IncidentState;
  /** For failed and cancelled: which step and why, for the timeline and the failure message. */
  readonly reason?: string;
  /** 1-based position of the step that decided the state, when one did. */
  readonly position?: number;
}

const label = (index: number, step: StepView): string => `Step ${index + 1} (${step.kind})`;

/** Where the incident stands given its steps, in plan order. */
export function deriveIncident(steps: readonly StepView[]): DerivedIncident {
  const failed = steps.findIndex((s) => s.state === 'failed');
  const failedStep = steps[failed];
  if (failedStep) {
    return { state: 'failed', position: failed + 1, reason: `${label(failed, failedStep)} failed.` };
  }
  const unknown = steps.findIndex((s) => s.state === 'unknown');
  const unknownStep = steps[unknown];
  if (unknownStep) {
    return {
      state: 'failed',
      position: unknown + 1,
      reason:
        `${label(unknown, unknownStep)} ended in an unknown state: the bot could not ` +
        `confirm whether it took effect; check it by hand.`,
    };
  }
  const running = steps.findIndex((s) => s.state === 'running');
  const runningStep = steps[running];
  if (runningStep) {
    return { state: runningStep.kind === 'verification' ? 'verifying' : 'rolling_back', position: running + 1 };
  }
  const cancelled = steps.findIndex((s) => s.state === 'cancelled');
  const cancelledStep = steps[cancelled];
  if (cancelledStep) {
    return { state: 'cancelled', position: cancelled + 1, reason: `${label(cancelled, cancelledStep)} was cancelled.` };
  }
  const next = steps.findIndex((s) => s.state !== 'succeeded');
  const nextStep = steps[next];
  if (!nextStep) {
    return steps.length === 0 ? { state: 'open' } : { state: 'resolved' };
  }
  if (next === 0) return { state: 'open' };
  return { state: nextStep.kind === 'verification' ? 'verifying' : 'rolling_back', position: next + 1 };
}

interface IncidentAdvance extends DerivedIncident {
  readonly changed: boolean;
  /** The events applied, in order, to get from the current state to the new one. */
  readonly events: readonly IncidentEvent[];
}

/**
 * Moves the incident to what its steps say, through `transitionIncident`.
 * It never moves backwards: a step put back to "not started" after a crash
 * leaves a rolling-back incident rolling back.
 */
export function advanceIncident(current: IncidentState, steps: readonly StepView[]): IncidentAdvance {
  const derived = deriveIncident(steps);
  const target = derived.state;
  const stays =
    target === current ||
    (target === 'open' && isIncidentOpen(current)) ||
    (target === 'rolling_back' && current === 'verifying');
  if (stays) return { ...derived, state: current, changed: false, events: [] };

  const events: IncidentEvent[] = [];
  let state = current;
  if (state === 'open' && target === 'verifying') {
    state = transitionIncident(state, 'begin_rollback');
    events.push('begin_rollback');
  }
  const event = EVENT_FOR[target];
  if (event === undefined) {
    throw new RollbackError('illegal_transition', `An incident that is ${current} cannot go back to open.`, {
      details: { from: current, to: target },
    });
  }
  state = transitionIncident(state, event);
  events.push(event);
  return { ...derived, state, changed: true, events };
}
