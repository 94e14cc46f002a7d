import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RollbackError } from '../../../src/rollback/errors';
import {
  INCIDENT_EVENTS,
  INCIDENT_STATES,
  advanceIncident,
  deriveIncident,
  isIncidentOpen,
  transitionIncident,
} from '../../../src/rollback/incident/incident-state';
import type { IncidentEvent, IncidentState, StepView } from '../../../src/rollback/incident/incident-state';
import type { StepKind, StepState } from '../../../src/rollback/incident/step-state';

const MOVES: Record<IncidentState, Partial<Record<IncidentEvent, IncidentState>>> = {
  open: { begin_rollback: 'rolling_back', resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  rolling_back: { begin_verification: 'verifying', resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  verifying: { resolve: 'resolved', fail: 'failed', cancel: 'cancelled' },
  resolved: {},
  failed: {},
  cancelled: {},
};

const pairs = INCIDENT_STATES.flatMap((state) =>
  INCIDENT_EVENTS.map((event) => ({ state, event, next: MOVES[state][event] })),
);

describe('transitionIncident', () => {
  it.each(pairs.filter((p) => p.next))('$state --$event--> $next', ({ state, event, next }) => {
    expect(transitionIncident(state, event)).toBe(next);
  });

  it.each(pairs.filter((p) => !p.next))('$state refuses $event', ({ state, event }) => {
    expect(() => transitionIncident(state, event)).toThrow(RollbackError);
    try {
      transitionIncident(state, event);
    } catch (error) {
      expect((error as RollbackError).code).toBe('illegal_transition');
      expect((error as RollbackError).details).toEqual({ from: state, event });
      expect((error as RollbackError).message).toBe(`An incident that is ${state} cannot take "${event}".`);
    }
  });

  it('matches the SQL enum, and isIncidentOpen matches the one-open-per-service index', () => {
    const sql = readFileSync(join(__dirname, '../../../src/store/migrations/001_initial.sql'), 'utf8');
    const values = /CREATE TYPE incident_state AS ENUM \(([^)]*)\)/.exec(sql)?.[1]?.match(/'([a-z_]+)'/g) ?? [];
    expect(values.map((v) => v.slice(1, -1))).toEqual([...INCIDENT_STATES]);
    const open = /WHERE state IN \(([^)]*)\)/.exec(sql)?.[1]?.match(/'([a-z_]+)'/g) ?? [];
    expect(INCIDENT_STATES.filter(isIncidentOpen)).toEqual(open.map((v) => v.slice(1, -1)));
  });
});

const plan = (kinds: StepKind[], states: StepState[]): StepView[] =>
  kinds.map((kind, i) => ({ kind, state: states[i] ?? 'pending' }));
const APP: StepKind[] = ['application', 'verification'];
const REVERT: StepKind[] = ['code_revert', 'deploy', 'verification'];

describe('deriveIncident', () => {
  it.each<[string, StepView[], IncidentState, number | undefined]>([
    ['no steps yet', [], 'open', undefined],
    ['nothing started', plan(APP, ['pending', 'pending']), 'open', undefined],
    ['waiting for the CTO', plan(['schema'], ['awaiting_approval']), 'open', undefined],
    ['approved, not started', plan(['schema'], ['approved']), 'open', undefined],
    ['application running', plan(APP, ['running', 'pending']), 'rolling_back', 1],
    ['between revert and deploy', plan(REVERT, ['succeeded', 'pending', 'pending']), 'rolling_back', 2],
    ['deploy running', plan(REVERT, ['succeeded', 'running', 'pending']), 'rolling_back', 2],
    ['verification next', plan(REVERT, ['succeeded', 'succeeded', 'pending']), 'verifying', 3],
    ['verification running', plan(APP, ['succeeded', 'running']), 'verifying', 2],
    ['all succeeded incl. verification', plan(APP, ['succeeded', 'succeeded']), 'resolved', undefined],
    ['schema plan succeeded', plan(['schema'], ['succeeded']), 'resolved', undefined],
    ['verification failed', plan(APP, ['succeeded', 'failed']), 'failed', 2],
    ['deploy unknown', plan(REVERT, ['succeeded', 'unknown', 'pending']), 'failed', 2],
    [
      'approval rejected',
      plan(['code_reset', 'deploy', 'verification'], ['cancelled', 'cancelled', 'cancelled']),
      'cancelled',
      1,
    ],
  ])('%s', (_name, steps, state, position) => {
    const derived = deriveIncident(steps);
    expect(derived.state).toBe(state);
    expect(derived.position).toBe(position);
  });

  it('gives a reason naming the step for failed, unknown and cancelled', () => {
    expect(deriveIncident(plan(APP, ['succeeded', 'failed'])).reason).toBe('Step 2 (verification) failed.');
    expect(deriveIncident(plan(APP, ['unknown', 'pending'])).reason).toMatch(
      /^Step 1 \(application\) ended in an unknown state: .*check it by hand/,
    );
    expect(deriveIncident(plan(['schema'], ['cancelled'])).reason).toBe('Step 1 (schema) was cancelled.');
    expect(deriveIncident(plan(APP, ['running', 'pending'])).reason).toBeUndefined();
  });

  it('reports a failure before a step still running elsewhere, and the first failure', () => {
    expect(deriveIncident(plan(REVERT, ['failed', 'running', 'failed']))).toMatchObject({
      state: 'failed',
      position: 1,
    });
    expect(deriveIncident(plan(REVERT, ['succeeded', 'running', 'cancelled'])).state).toBe('rolling_back');
  });
});

describe('advanceIncident', () => {
  it('moves through transitionIncident and lists the events applied', () => {
    expect(advanceIncident('open', plan(APP, ['running', 'pending']))).toMatchObject({
      state: 'rolling_back',
      changed: true,
      events: ['begin_rollback'],
    });
    expect(advanceIncident('open', plan(APP, ['succeeded', 'running']))).toMatchObject({
      state: 'verifying',
      events: ['begin_rollback', 'begin_verification'],
    });
    expect(advanceIncident('verifying', plan(APP, ['succeeded', 'succeeded']))).toMatchObject({
      state: 'resolved',
      events: ['resolve'],
    });
    expect(advanceIncident('rolling_back', plan(['schema'], ['succeeded']))).toMatchObject({
      state: 'resolved',
      events: ['resolve'],
    });
    expect(advanceIncident('open', plan(['schema'], ['cancelled']))).toMatchObject({
      state: 'cancelled',
      events: ['cancel'],
    });
    expect(advanceIncident('verifying', plan(APP, ['succeeded', 'failed']))).toMatchObject({
      state: 'failed',
      reason: 'Step 2 (verification) failed.',
      events: ['fail'],
    });
  });

  it('changes nothing when the steps say what the incident already is', () => {
    expect(advanceIncident('rolling_back', plan(REVERT, ['succeeded', 'running', 'pending']))).toEqual({
      state: 'rolling_back',
      position: 2,
      changed: false,
      events: [],
    });
  });

  it('never moves backwards when a step is put back to not started after a crash', () => {
    expect(advanceIncident('rolling_back', plan(APP, ['pending', 'pending']))).toMatchObject({
      state: 'rolling_back',
      changed: false,
    });
    expect(advanceIncident('verifying', plan(APP, ['pending', 'pending']))).toMatchObject({
      state: 'verifying',
      changed: false,
    });
  });

  it('refuses to reopen or change a closed incident', () => {
    expect(() => advanceIncident('resolved', plan(APP, ['running', 'pending']))).toThrow(
      /resolved cannot take "begin_rollback"/,
    );
    expect(() => advanceIncident('failed', plan(APP, ['succeeded', 'succeeded']))).toThrow(
      /failed cannot take "resolve"/,
    );
    expect(() => advanceIncident('cancelled', plan(APP, ['pending', 'pending']))).toThrow(/cannot go back to open/);
    expect(advanceIncident('failed', plan(APP, ['succeeded', 'failed']))).toMatchObject({
      state: 'failed',
      changed: false,
    });
  });
});
