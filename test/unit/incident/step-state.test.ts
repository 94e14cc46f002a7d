import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RollbackError } from '../../../src/rollback/errors';
import {
  STEP_EVENTS,
  STEP_KINDS,
  STEP_STATES,
  allowedEvents,
  isTerminal,
  needsApproval,
  transitionStep,
} from '../../../src/rollback/incident/step-state';
import type { StepEvent, StepKind, StepState } from '../../../src/rollback/incident/step-state';

// The whole machine written out by hand, independently of the implementation's table.
const RECONCILE_PLAIN = {
  reconcile_to_succeeded: 'succeeded',
  reconcile_to_failed: 'failed',
  reconcile_to_not_started: 'pending',
} as const;
const RECONCILE_APPROVED = { ...RECONCILE_PLAIN, reconcile_to_not_started: 'approved' } as const;

type Table = Record<StepState, Partial<Record<StepEvent, StepState>>>;

const PLAIN: Table = {
  pending: { start: 'running', cancel: 'cancelled' },
  awaiting_approval: { approve: 'approved', reject: 'cancelled', expire: 'cancelled', cancel: 'cancelled' },
  approved: { start: 'running', cancel: 'cancelled' },
  running: { succeed: 'succeeded', fail: 'failed', lose_track: 'unknown', ...RECONCILE_PLAIN },
  unknown: { ...RECONCILE_PLAIN },
  succeeded: {},
  failed: {},
  cancelled: {},
};

const NEEDS_APPROVAL: Table = {
  ...PLAIN,
  pending: { request_approval: 'awaiting_approval', cancel: 'cancelled' },
  running: { ...PLAIN.running, ...RECONCILE_APPROVED },
  unknown: { ...RECONCILE_APPROVED },
};

const expectedFor = (kind: StepKind): Table => (kind === 'code_reset' || kind === 'schema' ? NEEDS_APPROVAL : PLAIN);

const cases = STEP_KINDS.flatMap((kind) =>
  STEP_STATES.flatMap((state) =>
    STEP_EVENTS.map((event) => ({ kind, state, event, next: expectedFor(kind)[state][event] })),
  ),
);

describe('transitionStep', () => {
  it('covers every (kind, state, event) triple', () => {
    expect(cases).toHaveLength(6 * 8 * 12);
    expect(cases.filter((c) => c.next !== undefined)).toHaveLength(6 * 17);
  });

  it.each(cases.filter((c) => c.next !== undefined))(
    '$kind: $state --$event--> $next',
    ({ kind, state, event, next }) => {
      expect(transitionStep(state, event, kind)).toBe(next);
    },
  );

  it.each(cases.filter((c) => c.next === undefined))('$kind: $state refuses $event', ({ kind, state, event }) => {
    let thrown: unknown;
    try {
      transitionStep(state, event, kind);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RollbackError);
    const error = thrown as RollbackError;
    expect(error.code).toBe('illegal_transition');
    expect(error.details).toEqual({ from: state, event, kind });
    expect(error.message).toContain(state);
    expect(error.message).toContain(event);
    expect(error.fix).toBeTruthy();
  });

  it('refuses to start a schema or git reset step without approval, and says so', () => {
    expect(() => transitionStep('pending', 'start', 'schema')).toThrow(
      'cannot take "start": the CTO must approve it first',
    );
    expect(() => transitionStep('pending', 'start', 'code_reset')).toThrow(
      'cannot take "start": the CTO must approve it first',
    );
  });

  it('walks the approval path to success', () => {
    const path: StepEvent[] = ['request_approval', 'approve', 'start', 'succeed'];
    expect(path.reduce<StepState>((state, event) => transitionStep(state, event, 'schema'), 'pending')).toBe(
      'succeeded',
    );
  });

  it('after a crash puts an approved step back to approved, not to a fresh approval', () => {
    expect(transitionStep('running', 'reconcile_to_not_started', 'code_reset')).toBe('approved');
    expect(transitionStep('running', 'reconcile_to_not_started', 'application')).toBe('pending');
  });

  it('tells what is allowed in the fix of a refusal', () => {
    expect(() => transitionStep('approved', 'succeed', 'deploy')).toThrow(RollbackError);
    try {
      transitionStep('approved', 'succeed', 'deploy');
    } catch (error) {
      expect((error as RollbackError).fix).toBe('Allowed from approved: start, cancel.');
    }
  });
});

describe('step helpers', () => {
  it.each(STEP_STATES.map((state) => [state, ['succeeded', 'failed', 'cancelled'].includes(state)] as const))(
    'isTerminal(%s) is %s',
    (state, terminal) => {
      expect(isTerminal(state)).toBe(terminal);
      if (terminal) for (const kind of STEP_KINDS) expect(allowedEvents(state, kind)).toEqual([]);
    },
  );

  it.each(STEP_KINDS.map((kind) => [kind, kind === 'code_reset' || kind === 'schema'] as const))(
    'needsApproval(%s) is %s',
    (kind, needed) => {
      expect(needsApproval(kind)).toBe(needed);
    },
  );

  it('matches the SQL enum and check constraint in 001_initial.sql', () => {
    const sql = readFileSync(join(__dirname, '../../../src/store/migrations/001_initial.sql'), 'utf8');
    const enumValues = /CREATE TYPE step_state AS ENUM \(([^)]*)\)/.exec(sql)?.[1] ?? '';
    expect(enumValues.match(/'([a-z_]+)'/g)?.map((v) => v.slice(1, -1))).toEqual([...STEP_STATES]);
    const kinds = /kind\s+text NOT NULL CHECK \(kind IN \(([^)]*)\)\)/.exec(sql)?.[1] ?? '';
    expect(kinds.match(/'([a-z_]+)'/g)?.map((v) => v.slice(1, -1))).toEqual([...STEP_KINDS]);
  });
});
