/**
 * A release's states and the only moves between them. `watching`: the canary
 * serves the stage's share and its evidence is judged; `awaiting_approval`:
 * the stage's time is up and it needs a person's Approve; `paused`: a SHOULD
 * trigger (or /rollout pause) holds advancement until Continue or Abort;
 * `aborting`: a MUST trigger (or Abort) sent traffic back to the base
 * deployment through an incident; `completed`: 100% watched without a
 * trigger; `aborted`: traffic is back on the base.
 */
import { RollbackError } from '../errors';

export type ReleaseState = 'watching' | 'awaiting_approval' | 'paused' | 'aborting' | 'aborted' | 'completed';

type ReleaseEvent = 'advance' | 'ask_approval' | 'approve' | 'pause' | 'resume' | 'abort' | 'aborted' | 'complete';

const MOVES: Readonly<Record<ReleaseState, Partial<Record<ReleaseEvent, ReleaseState>>>> = {
  watching: {
    advance: 'watching',
    ask_approval: 'awaiting_approval',
    pause: 'paused',
    abort: 'aborting',
    complete: 'completed',
  },
  awaiting_approval: { approve: 'watching', pause: 'paused', abort: 'aborting', complete: 'completed' },
  paused: { resume: 'watching', abort: 'aborting' },
  aborting: { aborted: 'aborted' },
  aborted: {},
  completed: {},
};

export function transition(state: ReleaseState, event: ReleaseEvent): ReleaseState {
  const next = MOVES[state][event];
  if (!next) {
    const words = state === 'aborted' || state === 'completed' ? `is over (${state})` : `is ${state.replace('_', ' ')}`;
    throw new RollbackError('illegal_transition', `The release ${words}; it cannot ${event.replace('_', ' ')} now.`, {
      fix: 'Use /rollout status <service> to see where the release is.',
      details: { state, event },
    });
  }
  return next;
}

export const isReleaseOver = (state: ReleaseState): boolean => state === 'aborted' || state === 'completed';

/** States in which the guard keeps judging the canary (a paused release can still be aborted by a MUST). */
export const isGuarded = (state: ReleaseState): boolean =>
  state === 'watching' || state === 'awaiting_approval' || state === 'paused';
