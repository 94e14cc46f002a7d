/**
 * The life of one plan step. States and kinds mirror the `step_state` enum and
 * the `steps.kind` check in 001_initial.sql, so what is stored is exactly what
 * this machine allows. Every change of a step goes through `transitionStep`.
 */
import { RollbackError } from '../errors';

export const STEP_STATES = [
  'pending',
  'awaiting_approval',
  'approved',
  'running',
  'succeeded',
  'failed',
  'unknown',
  'cancelled',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export const STEP_KINDS = ['application', 'code_revert', 'code_reset', 'deploy', 'schema', 'verification'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_EVENTS = [
  'request_approval',
  'approve',
  'reject',
  'expire',
  'start',
  'succeed',
  'fail',
  'lose_track',
  'reconcile_to_succeeded',
  'reconcile_to_failed',
  'reconcile_to_not_started',
  'cancel',
] as const;
export type StepEvent = (typeof STEP_EVENTS)[number];

const TERMINAL: ReadonlySet<StepState> = new Set<StepState>(['succeeded', 'failed', 'cancelled']);
const APPROVAL_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['code_reset', 'schema']);

/** Git Option B and schema rollback lose history or data: the runbook wants the CTO first. */
export function needsApproval(kind: StepKind): boolean {
  return APPROVAL_KINDS.has(kind);
}

/** No event moves a step out of these; `unknown` is not among them because reconciliation resolves it. */
export function isTerminal(state: StepState): boolean {
  return TERMINAL.has(state);
}

/** The state a step goes back to when the outside world shows its side effect never happened. */
function notStarted(kind: StepKind): StepState {
  // The approval was given for this step; a crash before the side effect does not undo it.
  return needsApproval(kind) ? 'approved' : 'pending';
}

type Rule = (kind: StepKind) => StepState | undefined;

const reconcile: Partial<Record<StepEvent, Rule>> = {
  reconcile_to_succeeded: () => 'succeeded',
  reconcile_to_failed: () => 'failed',
  reconcile_to_not_started: notStarted,
};

const RULES: Record<StepState, Partial<Record<StepEvent, Rule>>> = {
  pending: {
    request_approval: (kind) => (needsApproval(kind) ? 'awaiting_approval' : undefined),
    start: (kind) => (needsApproval(kind) ? undefined : 'running'),
    cancel: () => 'cancelled',
  },
  awaiting_approval: {
    approve: () => 'approved',
    // A refused or lapsed approval ends the step: the incident closes and frees the service.
    reject: () => 'cancelled',
    expire: () => 'cancelled',
    cancel: () => 'cancelled',
  },
  approved: {
    start: () => 'running',
    cancel: () => 'cancelled',
  },
  running: {
    succeed: () => 'succeeded',
    fail: () => 'failed',
    lose_track: () => 'unknown',
    ...reconcile,
  },
  unknown: { ...reconcile },
  succeeded: {},
  failed: {},
  cancelled: {},
};

/** Why a move is refused, in words an operator can act on. */
function refusal(state: StepState, event: StepEvent, kind: StepKind): { message: string; fix: string } {
  const refused = `A ${kind} step that is ${state} cannot take "${event}"`;
  if (isTerminal(state)) {
    return { message: `${refused}: it is finished.`, fix: 'Start a new rollback if more needs doing.' };
  }
  if (state === 'pending' && event === 'start' && needsApproval(kind)) {
    return {
      message: `${refused}: the CTO must approve it first.`,
      fix: 'Request the approval; the step starts once it is approved.',
    };
  }
  if (state === 'pending' && event === 'request_approval') {
    return { message: `${refused}: it needs no approval.`, fix: 'Start it directly.' };
  }
  return {
    message: `${refused}.`,
    fix: `Allowed from ${state}: ${allowedEvents(state, kind).join(', ') || 'nothing'}.`,
  };
}

/**
 * The next state of a step of `kind` in `state` after `event`, or a
 * RollbackError('illegal_transition') naming the state, event and kind.
 * The kind matters: a step that needs approval can only start once approved.
 */
export function transitionStep(state: StepState, event: StepEvent, kind: StepKind): StepState {
  const next = RULES[state][event]?.(kind);
  if (next === undefined) {
    const { message, fix } = refusal(state, event, kind);
    throw new RollbackError('illegal_transition', message, { fix, details: { from: state, event, kind } });
  }
  return next;
}

/** The events a step of `kind` in `state` accepts, in declaration order (for messages and tests). */
export function allowedEvents(state: StepState, kind: StepKind): StepEvent[] {
  return STEP_EVENTS.filter((event) => RULES[state][event]?.(kind) !== undefined);
}
