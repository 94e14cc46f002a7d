/**
 * Who takes an aborted release's traffic off the canary when the service's
 * incident is already rolling back: its application rollback under way (to
 * the base, or to the target it names), else the bot.
 */
import { abortRoute } from '../../../src/rollback/release/abort-route';
import type { StepKind, StepState } from '../../../src/rollback/incident/step-state';

const step = (kind: StepKind, state: StepState, target: string | null = null) => ({ kind, state, target });

describe('abortRoute', () => {
  it('leaves it to an application rollback under way to the base (or the default: during a release, the base)', () => {
    for (const state of ['pending', 'running', 'unknown'] as const) {
      expect(abortRoute([step('application', state, 'dpl_base'), step('verification', 'pending')], 'dpl_base')).toEqual(
        {
          by: 'incident',
          toBase: true,
        },
      );
    }
    expect(abortRoute([step('application', 'pending')], 'dpl_base')).toEqual({ by: 'incident', toBase: true });
  });

  it('leaves it to an application rollback under way to a named target: no second alias move against it', () => {
    expect(abortRoute([step('application', 'running', 'dpl_190')], 'dpl_base')).toEqual({
      by: 'incident',
      toBase: false,
      target: 'dpl_190',
    });
  });

  it('is the bot when no application rollback is under way: git or schema only, or the move is over', () => {
    const gitReset = [
      step('code_reset', 'awaiting_approval'),
      step('deploy', 'pending'),
      step('verification', 'pending'),
    ];
    expect(abortRoute(gitReset, 'dpl_base')).toEqual({ by: 'bot' });
    expect(abortRoute([step('code_revert', 'running'), step('deploy', 'pending')], 'dpl_base')).toEqual({ by: 'bot' });
    expect(abortRoute([step('schema', 'approved')], 'dpl_base')).toEqual({ by: 'bot' });
    for (const state of ['succeeded', 'failed', 'cancelled'] as const)
      expect(abortRoute([step('application', state, 'dpl_base')], 'dpl_base')).toEqual({ by: 'bot' });
    expect(abortRoute([], 'dpl_base')).toEqual({ by: 'bot' });
  });
});
