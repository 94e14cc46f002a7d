/**
 * How a release's abort gets traffic off the canary when an incident of the
 * service is already rolling back (the abort cannot start a rollback of its
 * own). An application rollback of that incident that is still under way
 * carries it: its instant rollback ends the release on the platform, to the
 * base or to the target it names; a second alias move beside it would race it.
 * With none under way (a git revert or a schema rollback only, or its
 * application step over), nothing of the incident moves traffic off the
 * canary now: the bot aborts on the platform itself, back to the base.
 */
import { isTerminal, type StepKind, type StepState } from '../incident/step-state';

interface IncidentStep {
  readonly kind: StepKind;
  readonly state: StepState;
  /** The step's target; null is the platform's default, which during a rolling release is its base. */
  readonly target: string | null;
}

export type AbortRoute =
  | { readonly by: 'incident'; readonly toBase: true }
  | { readonly by: 'incident'; readonly toBase: false; readonly target: string }
  | { readonly by: 'bot' };

export function abortRoute(steps: readonly IncidentStep[], baseId: string): AbortRoute {
  const moving = steps.find((step) => step.kind === 'application' && !isTerminal(step.state));
  if (!moving) return { by: 'bot' };
  const target = moving.target ?? baseId;
  return target === baseId ? { by: 'incident', toBase: true } : { by: 'incident', toBase: false, target };
}
