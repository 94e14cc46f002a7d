/** Builders of the store's inputs, for the PostgreSQL store tests and the store contract alike. */
import type { StepKind, StepState } from '../../src/rollback/incident/step-state';
import type { NewIncident, NewStep } from '../../src/rollback/ports/incident-store';

let counter = 0;

/** A new incident of dr-amal-clinical-os unless overridden, with a fresh id and its own opening second. */
export function newIncident(overrides: Partial<NewIncident> = {}): NewIncident {
  counter += 1;
  return {
    id: `INC-TEST-${counter}`,
    service: 'dr-amal-clinical-os',
    issue: 'Checkout returns 500',
    trigger: '/rollback by <@U0DEVOPS1>',
    openedBy: 'U0DEVOPS1',
    openedAt: new Date(Date.UTC(2026, 0, 17, 10, 0, counter)),
    channelId: 'C0PRODALRT',
    data: { request: { kind: 'application', target: 'dpl_abc' }, requestedBy: 'U0DEVOPS1', owner: 'U0DEVOPS1' },
    ...overrides,
  };
}

/** Steps at positions 1..n with the given kinds, each pending unless a state is given. */
export function planSteps(...steps: (StepKind | [StepKind, StepState])[]): NewStep[] {
  return steps.map((step, index) => {
    const [kind, state] = Array.isArray(step) ? step : [step, 'pending' as StepState];
    return { position: index + 1, kind, state, input: { n: index + 1 } };
  });
}
